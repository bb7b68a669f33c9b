# mediaplane — builds the nginx-independent format core, its cmocka unit tests
# (with ASan/UBSan) and libFuzzer targets.  The nginx module itself is built by
# build.sh against Debian's nginx-dev source (see ngx_module/config).
BUILD      ?= build
CC         ?= cc
CSTD       := -std=gnu11
WARN       := -Wall -Wextra -Werror
SAN        := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CORE_SRC   := $(shell find ngx_module/core -name '*.c' | sort)
CORE_HDR   := $(shell find ngx_module/core -name '*.h' | sort)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))
FUZZ_BIN   := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
TOOL_SRC   := $(wildcard tests/tools/*.c)
TOOL_BIN   := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))

.PHONY: all unit fuzz tools check clean
all: unit tools

$(BUILD)/san/libmpcore.a: $(CORE_SRC) $(shell find ngx_module/core -name '*.h')
	@mkdir -p $(BUILD)/san
	cd $(BUILD)/san && rm -f *.o && $(CC) $(CSTD) $(WARN) -g -O1 $(SAN) -c $(addprefix $(CURDIR)/,$(CORE_SRC))
	ar rcs $@ $(BUILD)/san/*.o

$(BUILD)/opt/libmpcore.a: $(CORE_SRC) $(shell find ngx_module/core -name '*.h')
	@mkdir -p $(BUILD)/opt
	cd $(BUILD)/opt && rm -f *.o && $(CC) $(CSTD) $(WARN) -g -O2 -c $(addprefix $(CURDIR)/,$(CORE_SRC))
	ar rcs $@ $(BUILD)/opt/*.o

$(BUILD)/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/san/libmpcore.a
	@mkdir -p $(BUILD)/unit
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) -Ingx_module/core -o $@ $< $(BUILD)/san/libmpcore.a -lcmocka

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/opt/libmpcore.a
	@mkdir -p $(BUILD)/tools
	$(CC) $(CSTD) $(WARN) -g -O2 -Ingx_module/core -o $@ $< $(BUILD)/opt/libmpcore.a

# -fno-sanitize-recover: a UBSan finding must stop the fuzzer like an ASan one.
$(BUILD)/fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(BUILD)/fuzz
	clang $(CSTD) $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -Ingx_module/core -o $@ $< $(CORE_SRC)

unit: $(UNIT_BIN)
tools: $(TOOL_BIN)
fuzz: $(FUZZ_BIN)

# Run every unit test binary; cmocka prints its own summary per suite.
check: unit
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

clean:
	rm -rf $(BUILD)
