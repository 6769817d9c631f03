package web

func init() {
	pageTypes["report"] = ReportPage{}
	pageTypes["report-sent"] = ReportSentPage{}
	pageTypes["guidelines"] = GuidelinesPage{}
	pageTypes["account-moderation"] = AccountModerationPage{}
	pageTypes["account-moderation-appeal"] = AppealPage{}
}
