-- wrk script for bench/range.sh: every request asks for a random populated
-- range, from the prefix list in $PREFIXES (one 5-hex prefix a line).
local prefixes = {}
for line in io.lines(os.getenv("PREFIXES")) do
	prefixes[#prefixes + 1] = line
end

function init(args)
	math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
	return wrk.format("GET", "/range/" .. prefixes[math.random(#prefixes)])
end
