# civitai-daemon — `make run` starts the daemon on ./config.json, `make test` runs every test.
# Plain JDK (21+) tools only; jars come from lib/jars.lock via Maven's resolver.

SHELL := /bin/bash
# A recipe that fails leaves no half-made target behind for the next make to trust.
.DELETE_ON_ERROR:
JDK := $(shell lib/find-jdk.sh)
ifeq ($(JDK),)
$(error No JDK 21+ found: install one (e.g. openjdk-21-jdk-headless) or set JAVA_HOME)
endif
JAVA  := $(JDK)/bin/java
JAVAC := $(JDK)/bin/javac
JAR   := $(JDK)/bin/jar

lock = $(shell awk '$$1 == "$(1)" { split($$2, c, ":"); print "lib/" c[2] "-" c[3] ".jar" }' lib/jars.lock)
SQLITE_JAR := $(call lock,sqlite-jdbc)
JSON_JAR   := $(call lock,minimal-json)
JUNIT_JAR  := $(call lock,junit-console)
RUNTIME_CP := $(SQLITE_JAR):$(JSON_JAR)

SOURCES      := $(shell find src -name '*.java')
TEST_SOURCES := $(shell find test -name '*.java' -not -path 'test/chaos/*')
CHAOS_SOURCES := $(shell find test/chaos -name '*.java')
# The GUI's static files go into the jar as they are (plus Bootstrap's CSS, below).
GUI_FILES    := $(shell find src/civitai/daemon/web -type f)
RESOURCES    := $(GUI_FILES) $(shell find src -type f ! -name '*.java' ! -path 'src/civitai/daemon/web/*')
VERSION      := $(shell cat VERSION)
DAEMON_JAR   := build/civitai-daemon.jar
JAVAC_FLAGS  := --release 21 -Xlint:all -Werror -encoding UTF-8
CONFIG       ?= config.json

.PHONY: all help deps build jar run test dist install-test systemd-test clean proxy-test nginx-test tinyproxy-test e2e bench \
	chaos chaos-long
all: jar

help:
	@echo 'make run            fetch the jars, build, start the daemon on ./config.json (CONFIG=file)'
	@echo 'make test           every JUnit test (TESTS=civitai.daemon.x.ClassName for one class)'
	@echo 'make jar            build/civitai-daemon.jar only'
	@echo 'make dist           the release tarball with its own Java runtime, in build/'
	@echo 'make install-test   install.sh from the tarball, --no-systemd, into temp folders'
	@echo 'make systemd-test   install.sh under a real systemd booted with systemd-nspawn (root)'
	@echo 'make e2e            the GUI in Debian'"'"'s chromium (E2E_TESTS=test/e2e/x.test.mjs)'
	@echo 'make proxy-test     the daemon behind nginx (TLS, sub-path) and tinyproxy on loopback'
	@echo 'make chaos          crash, fault, disk, hostile-client and soak runs (SEED=n replays)'
	@echo 'make chaos-long     the same, longer (at least 100 kills)'
	@echo 'make bench          against curl and aria2c with nginx on loopback (CASES=h: through a fake Hub), the library'
	@echo 'make deps           fetch and verify the pinned jars (lib/jars.lock)'
	@echo 'make clean          remove build/'

deps: build/.deps
build/.deps: lib/jars.lock lib/fetch-jars.sh
	@lib/fetch-jars.sh
	@mkdir -p build && touch $@

build: build/.classes
build/.classes: build/.deps $(SOURCES) $(RESOURCES) VERSION
	@rm -rf build/classes && mkdir -p build/classes
	@echo "javac: $(words $(SOURCES)) sources (JDK $(JDK))"
	@$(JAVAC) $(JAVAC_FLAGS) -cp $(RUNTIME_CP) -d build/classes $(SOURCES)
	@cd src && find . -type f ! -name '*.java' -exec cp --parents {} ../build/classes/ \;
	@echo "$(VERSION)" > build/classes/civitai/daemon/VERSION
	@touch $@

jar: $(DAEMON_JAR)
$(DAEMON_JAR): build/.classes
	@printf 'Main-Class: civitai.daemon.Main\nClass-Path: ../$(SQLITE_JAR) ../$(JSON_JAR)\nEnable-Native-Access: ALL-UNNAMED\nImplementation-Version: $(VERSION)\n' > build/MANIFEST.MF
	@$(JAR) --create --date=2026-01-01T00:00:00Z --file $@ --manifest build/MANIFEST.MF -C build/classes .
	@echo "built $@ (run: $(JAVA) -jar $@ --config $(CONFIG))"

run: $(DAEMON_JAR)
	$(JAVA) @lib/jvm.options -jar $(DAEMON_JAR) --config $(CONFIG)

build/.test-classes: build/.classes $(TEST_SOURCES)
	@rm -rf build/test-classes && mkdir -p build/test-classes
	@echo "javac: $(words $(TEST_SOURCES)) test sources"
	@$(JAVAC) $(JAVAC_FLAGS) -cp build/classes:$(RUNTIME_CP):$(JUNIT_JAR) -d build/test-classes $(TEST_SOURCES)
	@touch $@

# The daemon jar is built too: the crash-recovery tests start it as a child JVM.
# TESTS=ClassName runs one class. The last line is the runner's count as "N passed, N failed,
# N skipped" (skipped: disabled, or aborted by an assumption); the exit status is the runner's.
test: build/.test-classes $(DAEMON_JAR)
	@set -o pipefail; DAEMON_JAR=$(DAEMON_JAR) JAVA_BIN=$(JAVA) $(JAVA) --enable-native-access=ALL-UNNAMED \
	  -Djdk.http.auth.tunneling.disabledSchemes= \
	  -jar $(JUNIT_JAR) execute --fail-if-no-tests --disable-banner --disable-ansi-colors --details=tree \
	  --class-path build/test-classes:build/classes:$(RUNTIME_CP) \
	  $(if $(TESTS),--select-class $(TESTS),--scan-class-path build/test-classes) 2>&1 | tee build/test.log; \
	status=$$?; \
	awk '/tests successful/ {ok=$$2} /tests failed/ {bad=$$2} /tests aborted/ {skip+=$$2} /tests skipped/ {skip+=$$2} \
	  END {print "tests: " ok+0 " passed, " bad+0 " failed, " skip+0 " skipped"}' build/test.log; \
	exit $$status

# The self-contained release (a jlink'ed runtime, the jars, launcher, class-data cache, install.sh):
# build/civitai-daemon-$(VERSION)-linux-<arch>.tar.gz and its .sha256.
DIST_INPUTS := lib/make-dist.sh lib/aot-train.sh lib/civitai-daemon.sh lib/jvm.options install.sh \
	civitai-daemon.service README.md config.json manifest.json
dist: build/.dist
build/.dist: $(DAEMON_JAR) $(DIST_INPUTS)
	@lib/make-dist.sh $(JDK) $(VERSION) $(DAEMON_JAR) $(SQLITE_JAR) $(JSON_JAR)
	@touch $@

# install.sh for real, from the tarball, with no JDK on PATH: install, start, upgrade, uninstall.
install-test: dist
	@test/install/install-test.sh

# install.sh under a real systemd: Debian 12 booted with systemd-nspawn (root only; installs
# systemd-container and debootstrap when missing; the Debian root is cached under /var/tmp).
# Install, sandboxed download, restart, kill -9, upgrade, broken upgrade, uninstall, --user.
systemd-test: dist
	@timeout -k 30 1200 test/systemd/systemd-test.sh

# The daemon behind real proxies on loopback (each installs nginx / tinyproxy with apt-get when
# missing): nginx with TLS in front of it, and tinyproxy for its outbound traffic. nginx-test also
# runs the browser tests through nginx (root and /civitai/) when chromium and test/e2e's npm
# packages are there: about 3 minutes on 2 cores, hence its longer bound.
proxy-test: nginx-test tinyproxy-test
nginx-test: $(DAEMON_JAR)
	@timeout 1200 test/proxy/nginx-test.sh
tinyproxy-test: $(DAEMON_JAR)
	@timeout 600 test/proxy/tinyproxy-test.sh

# Against curl and aria2c with nginx on loopback (installs them when missing), a Hub download
# through bench/HubStub.java against curl -L (CASES=h), then the library's scans against
# sha256sum (bench/library.sh; CASES=l for it alone); never part of test.
bench: $(DAEMON_JAR)
	bench/bench.sh

# Crash, fault, disk, hostile-client and soak runs against the daemon as a child JVM, the fakes
# and nginx; never part of `make test`. SEED=n replays a run's random choices.
build/.chaos-classes: build/.test-classes $(CHAOS_SOURCES)
	@rm -rf build/chaos-classes && mkdir -p build/chaos-classes
	@echo "javac: $(words $(CHAOS_SOURCES)) chaos sources"
	@$(JAVAC) $(JAVAC_FLAGS) -cp build/test-classes:build/classes:$(RUNTIME_CP) -d build/chaos-classes $(CHAOS_SOURCES)
	@touch $@

chaos: build/.chaos-classes $(DAEMON_JAR)
	@JAVA_BIN=$(JAVA) DAEMON_JAR=$(DAEMON_JAR) CHAOS_CP=build/chaos-classes:build/test-classes:build/classes:$(RUNTIME_CP) \
	  test/chaos/run.sh ci $(SEED)

chaos-long: build/.chaos-classes $(DAEMON_JAR)
	@JAVA_BIN=$(JAVA) DAEMON_JAR=$(DAEMON_JAR) CHAOS_CP=build/chaos-classes:build/test-classes:build/classes:$(RUNTIME_CP) \
	  test/chaos/run.sh long $(SEED)

clean:
	rm -rf build

# --- GUI (issue 9): Bootstrap's CSS from its pinned WebJar into the jar; browser tests ----------
# The WebJar is a build input only (scope "web" in lib/jars.lock): its CSS is copied into
# build/classes next to the GUI's own files, so the daemon still runs on three jars.
BOOTSTRAP_JAR := $(call lock,bootstrap)
BOOTSTRAP_VER := $(shell awk '$$1 == "bootstrap" { split($$2, c, ":"); print c[3] }' lib/jars.lock)
WEB_DIR       := build/classes/civitai/daemon/web

build/.web: build/.classes $(BOOTSTRAP_JAR)
	@rm -rf build/webjar && mkdir -p build/webjar $(WEB_DIR)
	@cd build/webjar && $(JAR) xf ../../$(BOOTSTRAP_JAR) META-INF/resources/webjars/bootstrap/$(BOOTSTRAP_VER)/css/bootstrap.min.css
	@cp build/webjar/META-INF/resources/webjars/bootstrap/$(BOOTSTRAP_VER)/css/bootstrap.min.css $(WEB_DIR)/bootstrap.min.css
	@touch $@
$(BOOTSTRAP_JAR): build/.deps
$(DAEMON_JAR) build/.test-classes: build/.web

# `make e2e`: the GUI in Debian's chromium (playwright-core from test/e2e's lock file) against a
# real daemon and the fake Civitai; screenshots land in build/e2e/. E2E_BASE_URL=https://host/civitai/
# runs the same tests through a reverse proxy in front of the fixture's daemon.
e2e: build/.test-classes $(DAEMON_JAR)
	@test -x /usr/bin/chromium || { echo "error: /usr/bin/chromium is missing: apt-get install -y chromium" >&2; exit 1; }
	@test -d test/e2e/node_modules/playwright-core || (cd test/e2e && npm ci --no-audit --no-fund)
	@mkdir -p build/e2e
	@JAVA_BIN=$(JAVA) E2E_CLASSPATH=build/test-classes:build/classes:$(RUNTIME_CP) \
	  node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
	  --test-reporter=tap --test-reporter-destination=build/e2e/results.tap $(or $(E2E_TESTS),test/e2e/*.test.mjs)
# --- end GUI -------------------------------------------------------------------------------------
