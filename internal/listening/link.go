package listening

import (
	"net/url"
	"strings"
)

// trackingParams are query parameters that say how a reader arrived, not
// what they read; the same article shared with different ones is one mention.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "mc_cid": true, "mc_eid": true,
	"igshid": true, "yclid": true, "_ga": true, "ref_src": true, "ref_url": true, "cmpid": true,
	"ocid": true, "at_medium": true, "at_campaign": true, "s_cid": true,
}

// NormaliseLink returns link without tracking parameters or fragment, with
// a lower-case scheme and host, so duplicates across feeds compare equal.
// A link that does not parse is returned trimmed.
func NormaliseLink(link string) string {
	link = strings.TrimSpace(link)
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return link
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Fragment, u.RawFragment = "", ""
	if (u.Scheme == "https" && strings.HasSuffix(u.Host, ":443")) || (u.Scheme == "http" && strings.HasSuffix(u.Host, ":80")) {
		u.Host = u.Host[:strings.LastIndexByte(u.Host, ':')]
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode() // sorted, so parameter order does not matter
	}
	return u.String()
}
