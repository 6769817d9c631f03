package web

// The petition signing pages, for the template check.
func init() {
	pageTypes["signature-form"] = SignatureForm{Countries: countryOptions("en", "GB")}
	pageTypes["signature-check-email"] = SignatureCheckEmail{}
	pageTypes["signature-confirmed"] = SignatureConfirmed{}
}
