package web

// The public consultation pages and the respond journey, for the template check.
func init() {
	pageTypes["consultation"] = ConsultationPage{}
	pageTypes["consultation-responses"] = PublishedResponsesPage{}
	pageTypes["consultation-respond-about"] = RespondAboutPage{}
	pageTypes["consultation-respond-questions"] = RespondQuestionsPage{}
	pageTypes["consultation-respond-check"] = RespondCheckPage{}
	pageTypes["consultation-respond-done"] = RespondDonePage{}
	pageTypes["consultation-respond-save"] = RespondSavePage{}
	pageTypes["consultation-respond-resume"] = RespondResumePage{}
	pageTypes["consultation-respond-closed"] = RespondClosedPage{}
}
