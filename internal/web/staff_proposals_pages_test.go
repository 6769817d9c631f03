package web

// The staff pages of boards, proposals and petitions, for the template check.
func init() {
	pageTypes["staff-boards"] = StaffBoardsPage{}
	pageTypes["staff-board"] = StaffBoardPage{}
	pageTypes["staff-proposals"] = StaffProposalsPage{}
	pageTypes["staff-proposal"] = StaffProposalPage{}
	pageTypes["staff-proposal-merge"] = StaffProposalMergePage{}
	pageTypes["staff-petition-fraud"] = StaffPetitionFraudPage{}
	pageTypes["staff-petition-invalidate"] = StaffPetitionInvalidatePage{}
	pageTypes["staff-petition-areas"] = StaffPetitionAreasPage{}
}
