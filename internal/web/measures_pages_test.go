package web

func init() {
	pageTypes["measures"] = MeasuresPage{}
	pageTypes["measures-method"] = MeasureMethodPage{}
	pageTypes["measures-org"] = MeasureOrgPage{}
	pageTypes["measures-what-if"] = MeasureWhatIfPage{}
	pageTypes["measures-costs"] = MeasureCostsPage{}
	pageTypes["measures-channels"] = MeasureChannelsPage{}
	pageTypes["measures-import"] = MeasureImportPage{}
	pageTypes["measures-datasets"] = MeasureDatasetsPage{}
	pageTypes["measures-settings"] = MeasureSettingsPage{}
}
