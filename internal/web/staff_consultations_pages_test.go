package web

func init() {
	pageTypes["consultation-staff-list"] = StaffConsultationsPage{}
	pageTypes["consultation-new"] = NewConsultationPage{}
	pageTypes["consultation-manage"] = ManageConsultationPage{}
	pageTypes["consultation-question"] = ConsultationQuestionPage{}
	pageTypes["consultation-preview"] = ConsultationPreviewPage{}
	pageTypes["consultation-keyin"] = KeyInPage{}
	pageTypes["consultation-import"] = ImportResponsesPage{}
	pageTypes["consultation-staff-responses"] = StaffResponsesPage{}
	pageTypes["consultation-staff-response"] = StaffResponsePage{}
}
