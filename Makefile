# InvoiceFlow: `make dev` runs the whole stack locally; `make test` runs every check.
SHELL := /bin/bash
VENV := infra/.venv
PYTHON := $(VENV)/bin/python
# The fonts documents are set in (`make fonts`); the fonts layer's content in Lambda.
export FONT_DIR := $(CURDIR)/infra/layer/fonts

.PHONY: dev mail test deny venv fonts browser doctools package measure-documents measure-web sam-build measure measure-auth measure-exports cost purge schedules invoke sam-env clean

## dev: the emulator on 127.0.0.1:4566 and the API on http://127.0.0.1:3000 (Ctrl-C stops both)
dev: venv fonts
	@infra/dev.sh

## mail: the e-mails `make dev` has sent (recipients, subject, text, attachments), from the emulator
mail: venv
	@$(VENV)/bin/python infra/mail.py $(if $(ID),--raw $(ID))

## test: format, lints, the dependency policy (deny.toml; `cargo fetch` first, as cargo-deny
## reads every platform's crates offline and a build fetches only this one's), every test of the workspace (against
## the local emulator, the web app's in headless Chromium), cfn-lint
test: venv fonts browser doctools deny
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo fetch --locked --quiet
	$(DENY) --offline check --hide-inclusion-graph bans licenses sources
	cargo test --workspace --locked
	$(VENV)/bin/cfn-lint template.yaml infra/edge-waf.yaml

## deny: cargo-deny, pinned, built once into infra/.tools (checks deny.toml offline)
DENY_VERSION := 0.20.2
DENY := infra/.tools/bin/cargo-deny
deny: infra/.tools/.cargo-deny-$(DENY_VERSION)
infra/.tools/.cargo-deny-$(DENY_VERSION):
	cargo install --quiet cargo-deny --version $(DENY_VERSION) --locked --root infra/.tools
	@touch $@

## venv: the project's Python tools (moto, cfn-lint), pinned, only when missing or changed
venv: $(VENV)/.installed
$(VENV)/.installed: infra/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements.txt
	@touch $@

## fonts: the open-licensed fonts PDFs are set in, from Debian's packages (pinned), in infra/layer/fonts
fonts: infra/layer/fonts/.packages
infra/layer/fonts/.packages: infra/fonts.sh
	infra/fonts.sh

## doctools: poppler-utils and zbar-tools (Debian, pinned), to render a PDF page and decode its QR code
doctools:
	@infra/doctools.sh

## browser: Chromium and ChromeDriver (Debian, pinned), the browser tests' npm packages and the
## IAM policy simulator (tests/policy)
browser:
	@infra/browser.sh

$(VENV)/.packaging: infra/requirements-package.txt $(VENV)/.installed
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements-package.txt
	@touch $@

## package: release arm64 Lambda zips of every function in target/lambda/<name>/bootstrap.zip
package: $(VENV)/.packaging
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" cargo lambda build --release --arm64 --output-format zip \
		$(foreach f,$(notdir $(wildcard functions/*)),--bin $(f))
	@ls -l target/lambda/*/bootstrap.zip

## sam-build: `sam build` with the project's cargo-lambda and zig on PATH (Rust builds are a SAM beta feature)
sam-build: $(VENV)/.packaging fonts
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" sam build --beta-features

FUNCTIONS := $(notdir $(wildcard functions/*))
# The functions behind the HTTP API (purge and schedules are scheduled).
HTTP_FUNCTIONS := $(filter-out purge schedules,$(FUNCTIONS))

## invoke: one function under cargo-lambda's runtime emulator against the local stack, with one
## event: `make invoke FN=invoices EVENT=events/invoices-get.json` (no Docker needed)
invoke: $(VENV)/.packaging
	@infra/invoke.sh "$(FN)" "$(EVENT)"

## sam-env: the env-vars file for `sam local invoke` / `sam local start-api` (Docker), every
## function pointed at the local emulator (run `make dev` first)
sam-env:
	@AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
		AWS_REGION=us-east-1 cargo run --quiet --locked -p invoiceflow-infra --bin invoiceflow-stack -- sam > infra/sam-env.json
	@echo "wrote infra/sam-env.json"

## purge: one pass of the scheduled purge against the running `make dev` stack
purge:
	AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
		AWS_REGION=us-east-1 cargo run --quiet --locked -p invoiceflow-infra --bin invoiceflow-purge

## schedules: one pass of the scheduled `schedules` function (recurring invoices) against the
## running `make dev` stack
schedules:
	AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
		AWS_REGION=us-east-1 cargo run --quiet --locked -p invoiceflow-infra --bin invoiceflow-schedules

## measure: cold start of every function beside a hello-world floor, under a local Lambda
## runtime API (host release builds; `GET /v1/openapi.json`, which no function but meta routes,
## so no function makes an AWS call to answer it)
measure: venv
	cargo build --release --locked $(foreach f,$(HTTP_FUNCTIONS),-p $(f))
	cargo build --release --locked -p invoiceflow-infra --bin invoiceflow-floor
	$(PYTHON) infra/measure_init.py --runs 30 --event events/meta-openapi.json \
		--floor target/release/invoiceflow-floor $(foreach f,$(HTTP_FUNCTIONS),target/release/$(f))

## measure-auth: login time (right, wrong, unknown email), bcrypt against libxcrypt, AWS calls per request
measure-auth: venv
	cargo run --quiet --release --locked -p invoiceflow-infra --bin invoiceflow-measure-auth
	@python3 -W ignore -c 'import crypt, time, statistics as s; \
	salt = crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=4096); t = []; \
	[(t.append(time.perf_counter()), crypt.crypt("granite-lantern-orbit-cactus", salt), t.append(time.perf_counter())) for _ in range(30)]; \
	d = [(t[i+1]-t[i])*1000 for i in range(0, len(t), 2)]; \
	print(f"libxcrypt bcrypt cost 12 (C, reference)   n=30 median {s.median(d):.1f} ms")'

## cost: what one million requests of a stated mix (60 % API reads, 25 % writes, 10 % page
## loads, 5 % PDFs) cost on AWS, from the invocations, durations, AWS calls and logs each makes
## (release build, private stack on the emulator) and the price table infra/prices.json
cost: venv
	cargo run --quiet --release --locked -p invoiceflow-tests --bin measure-cost

## measure-exports: wall time and peak memory of exporting 10,000 and 50,000 customers as CSV,
## and an account of 10,000 records as its complete ZIP (release build)
measure-exports: venv
	cargo run --quiet --release --locked -p invoiceflow-tests --bin measure-exports
	cargo run --quiet --release --locked -p invoiceflow-tests --bin measure-exports -- 10000 account

## measure-documents: time and peak memory of an invoice's PDF and UBL, 500 lines against 1
## (`OUT=dir` also writes the PDFs there)
measure-documents: fonts
	cargo run --quiet --release --locked -p invoiceflow-tests --bin measure-documents -- $(OUT)

## measure-web: each page's server time and size beside /login (no AWS call) and one API list,
## on the local emulator (release build)
measure-web: venv fonts
	cargo run --quiet --release --locked -p invoiceflow-tests --bin measure-web

clean:
	cargo clean
	rm -rf $(VENV) .aws-sam
