# reflow — entry points for humans and CI. CMake does the real build; this
# file only chains the steps. See README.md ("Make targets").
#
#   make deps    install missing Debian packages (scripts/install-deps.sh)
#   make build   configure + build with gcc into build/
#   make demo    build, then run the demo (scripts/demo.sh)
#   make test    gcc build + ctest, then clang-19 ASan/UBSan build + ctest
#   make spec    run the spec harness over $(SPEC_DIR)/$(SPEC)
#   make fuzz    libFuzzer run of fuzz/fuzz_load.c for $(FUZZ_SECONDS) seconds
#   make fuzz-exec  the same for fuzz/fuzz_exec.c (instantiates and runs modules)
#   make clean   remove every build directory

MAKEFLAGS += --no-print-directory

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

SPEC_DIR ?= $(abspath $(ROOT)/../shared/spec-tests)
SPEC ?= core
FUZZ_SECONDS ?= 600
JOBS ?= 2
GCC ?= gcc
CLANG ?= clang-19

BUILD := $(ROOT)/build
BUILD_ASAN := $(ROOT)/build-asan
BUILD_FUZZ := $(ROOT)/build-fuzz

CMAKE_COMMON := -S $(ROOT) -DSPEC_DIR=$(SPEC_DIR)
CTEST := ctest --output-on-failure --no-tests=error --no-label-summary -j$(JOBS)
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: all deps build demo test spec fuzz fuzz-exec clean

all: build

deps:
	@$(ROOT)/scripts/install-deps.sh

build: deps
	cmake $(CMAKE_COMMON) -B $(BUILD) -DCMAKE_C_COMPILER=$(GCC)
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	@$(ROOT)/scripts/demo.sh $(BUILD)

test: build
	cd $(BUILD) && $(CTEST)
	cmake $(CMAKE_COMMON) -B $(BUILD_ASAN) -DCMAKE_C_COMPILER=$(CLANG) -DRF_SANITIZE=ON
	cmake --build $(BUILD_ASAN) -j$(JOBS)
	cd $(BUILD_ASAN) && $(SAN_ENV) $(CTEST)

spec: build
	$(BUILD)/spec-runner --dir $(SPEC_DIR)/$(SPEC)

fuzz: deps
	cmake $(CMAKE_COMMON) -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=$(CLANG) -DRF_SANITIZE=ON -DRF_FUZZ=ON
	cmake --build $(BUILD_FUZZ) -j$(JOBS) --target fuzz-load
	@$(ROOT)/scripts/fuzz.sh $(BUILD_FUZZ) $(SPEC_DIR)/core $(FUZZ_SECONDS)

fuzz-exec: deps
	cmake $(CMAKE_COMMON) -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=$(CLANG) -DRF_SANITIZE=ON -DRF_FUZZ=ON
	cmake --build $(BUILD_FUZZ) -j$(JOBS) --target fuzz-exec
	@$(ROOT)/scripts/fuzz.sh $(BUILD_FUZZ) $(SPEC_DIR)/core $(FUZZ_SECONDS) fuzz-exec

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
include bench/bench.mk
