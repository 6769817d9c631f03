package web

func init() { pageTypes["listening-webhooks"] = ListeningWebhooksPage{} }
