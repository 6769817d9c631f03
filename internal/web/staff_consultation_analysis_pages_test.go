package web

func init() {
	pageTypes["consultation-analysis"] = AnalysisPage{}
	pageTypes["consultation-analysis-campaigns"] = CampaignsPage{}
	pageTypes["consultation-themes"] = ThemesPage{}
	pageTypes["consultation-outcome"] = OutcomeFormPage{}
}
