package web

// The staff pages of the moderation queue, for the template check.
func init() {
	pageTypes["staff-moderation"] = StaffModerationQueuePage{}
	pageTypes["staff-moderation-item"] = StaffModerationItemPage{}
	pageTypes["staff-moderation-settings"] = StaffModerationSettingsPage{}
	pageTypes["staff-moderation-authors"] = StaffModerationAuthorsPage{}
}
