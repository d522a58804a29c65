package routes

// /range/:prefix, the Pwned Passwords range API, is answered by package
// rangeapi; what stays here is who may call it, which the route table says.

// rangeAccess is who may ask for ranges: anyone, like the public API, or
// with [API] RangeRequiresToken only holders of a personal API token.
func (h *Handler) rangeAccess() access {
	if h.cfg.API.RangeRequiresToken {
		return apiToken
	}
	return public
}
