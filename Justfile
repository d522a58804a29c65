# pcmt tasks. `just --list` shows them.

# Build tags and flags of the static release binary: cgo (SQLite) linked statically.
static_tags := "osusergo netgo sqlite_omit_load_extension"
static_ldflags := "-s -w -linkmode external -extldflags '-static'"

# Run the app on its defaults (http://localhost:3000, ./pcmt.db).
run:
    go run . serve

# Develop: regenerate templates on change and serve static files from disk
# (LiveMode, set on the server that templ starts).
dev:
    go tool templ generate --watch --proxy="http://localhost:3000" --cmd="env PCMT_LIVEMODE=true go run . serve" & \
    npx tailwindcss --input static/src/app.css --output static/public/app.css --watch

# Regenerate everything generated: templ components, CSS, vendored htmx, the
# password-check script.
gen:
    go tool templ generate
    npm install --no-audit --no-fund
    npm run build

# Run every test, as CI does.
test:
    go test -race ./...

# Static checks.
lint:
    go vet ./...
    test -z "$(gofmt -l $(git ls-files '*.go'))"
    go run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@latest run --enable errorlint,gosec,sqlclosecheck,rowserrcheck ./...
    go run golang.org/x/vuln/cmd/govulncheck@v1.9.0 -db "file://$(cd ../shared/vulndb && pwd)" ./...

# Benchmarks (long): results go to docs/BENCHMARKS.md by hand.
bench:
    bench/run.sh

# New migration: just migration add_users
migration NAME:
    go tool goose -dir migrations -s create {{NAME}} sql

# The static release binary ./pcmt.
build:
    CGO_ENABLED=1 go build -trimpath -tags '{{static_tags}}' -ldflags "{{static_ldflags}}" -o pcmt .
