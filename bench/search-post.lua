-- wrk script for bench/search.sh: the htmx search partial (POST /search
-- with HX-Request) of a signed-in user, for a random address from
-- $SEARCH_TERMS (one a line; half of them are in the breach). $COOKIE and
-- $CSRF are the session's.
local terms = {}
for line in io.lines(os.getenv("SEARCH_TERMS")) do
	terms[#terms + 1] = line
end
wrk.method = "POST"
wrk.headers["Cookie"] = os.getenv("COOKIE")
wrk.headers["X-CSRF-Token"] = os.getenv("CSRF")
wrk.headers["HX-Request"] = "true"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

function init(args)
	math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
	local q = terms[math.random(#terms)]:gsub("@", "%%40")
	return wrk.format(nil, "/search", nil, "type=account&q=" .. q)
end
