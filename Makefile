# mediaplane — builds the nginx-independent format core, the control-plane
# daemon (mediaplaned), their cmocka unit tests (with ASan/UBSan) and libFuzzer
# targets.  The nginx module itself is built by build.sh against Debian's
# nginx-dev source (see ngx_module/config).
#
#   core          core/**.c            -> $(BUILD)/{san,opt}/libmpcore.a   (links -lcrypto: AES)
#   common        common/**.c (catalog schema shared by daemon and module)
#   control plane controlplane/**.c + common + libmpcore -> $(BUILD)/mediaplaned (-O2)
#                                                    $(BUILD)/san/mediaplaned (ASan/UBSan, for tests)
#   unit tests    tests/unit/test_*.c (core), tests/controlplane/test_*.c (daemon)
#   encoder       encoder/**.c + core (opt)          -> $(BUILD)/mediaplane-encoder
#                 tests/encoder/test_*.c (ASan/UBSan) -> $(BUILD)/unit/enc_*
#   fuzzers       tests/fuzz/fuzz_*.c, linked with core + common + control plane
#                 + the encoder's pure parts (not enc_probe.c: no libav* in fuzzers)
BUILD      ?= build
CC         ?= cc
CSTD       := -std=gnu11
WARN       := -Wall -Wextra -Werror
SAN        := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CORE_SRC   := $(shell find core -name '*.c' | sort)
CORE_HDR   := $(shell find core -name '*.h' | sort)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))
FUZZ_BIN   := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
TOOL_SRC   := $(wildcard tests/tools/*.c)
TOOL_BIN   := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))

# control plane + common: one object per source, so edits rebuild little
COMMON_SRC := $(shell find common -name '*.c' 2>/dev/null | sort)
CP_SRC     := $(shell find controlplane -name '*.c' ! -path controlplane/main.c 2>/dev/null | sort)
CP_HDR     := $(shell find controlplane common -name '*.h' 2>/dev/null | sort)
CP_ALL     := $(COMMON_SRC) $(CP_SRC)
CP_INC     := -Icontrolplane -Icommon -Icore $(shell pkg-config --cflags libxml-2.0 2>/dev/null)
CP_LIBS    := -llmdb -ljansson -lmicrohttpd -lxml2 -lcurl -lcrypto -lpthread -lm
CP_SAN_OBJ := $(patsubst %.c,$(BUILD)/san/cp/%.o,$(CP_ALL))
CP_OPT_OBJ := $(patsubst %.c,$(BUILD)/opt/cp/%.o,$(CP_ALL))
CP_UNIT_SRC:= $(wildcard tests/controlplane/test_*.c)
CP_UNIT_BIN:= $(patsubst tests/controlplane/%.c,$(BUILD)/unit/cp_%,$(CP_UNIT_SRC))
# encoder: the MES preset encoder driving ffmpeg; links the format core for the .ismc
ENC_SRC    := $(shell find encoder -name '*.c' ! -name main.c 2>/dev/null | sort)
ENC_HDR    := $(shell find encoder -name '*.h' 2>/dev/null | sort)
ENC_INC    := -Iencoder -Icore
ENC_LIBS   := -ljansson $(shell pkg-config --libs libavformat libavutil 2>/dev/null) -lcrypto -lcurl -lm
ENC_SAN_OBJ:= $(patsubst %.c,$(BUILD)/san/enc/%.o,$(ENC_SRC))
ENC_OPT_OBJ:= $(patsubst %.c,$(BUILD)/opt/enc/%.o,$(ENC_SRC))
ENC_UNIT_SRC:= $(wildcard tests/encoder/test_*.c)
ENC_UNIT_BIN:= $(patsubst tests/encoder/%.c,$(BUILD)/unit/enc_%,$(ENC_UNIT_SRC))
.SECONDARY: $(ENC_SAN_OBJ) $(ENC_OPT_OBJ)
ENCODER    := $(if $(wildcard encoder/main.c),$(BUILD)/mediaplane-encoder)
DAEMON     := $(if $(wildcard controlplane/main.c),$(BUILD)/mediaplaned $(BUILD)/san/mediaplaned)

.PHONY: all unit fuzz tools daemon encoder check clean
all: unit tools daemon encoder

$(BUILD)/san/libmpcore.a: $(CORE_SRC) $(shell find core -name '*.h')
	@mkdir -p $(BUILD)/san
	cd $(BUILD)/san && rm -f *.o && $(CC) $(CSTD) $(WARN) -g -O1 $(SAN) -c $(addprefix $(CURDIR)/,$(CORE_SRC))
	ar rcs $@ $(BUILD)/san/*.o

$(BUILD)/opt/libmpcore.a: $(CORE_SRC) $(shell find core -name '*.h')
	@mkdir -p $(BUILD)/opt
	cd $(BUILD)/opt && rm -f *.o && $(CC) $(CSTD) $(WARN) -g -O2 -c $(addprefix $(CURDIR)/,$(CORE_SRC))
	ar rcs $@ $(BUILD)/opt/*.o

$(BUILD)/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/san/libmpcore.a
	@mkdir -p $(BUILD)/unit
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) -Icore -o $@ $< $(BUILD)/san/libmpcore.a -lcmocka -lcrypto

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/opt/libmpcore.a
	@mkdir -p $(BUILD)/tools
	$(CC) $(CSTD) $(WARN) -g -O2 -Icore -o $@ $< $(BUILD)/opt/libmpcore.a -lcrypto

$(BUILD)/san/cp/%.o: %.c $(CP_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) $(CP_INC) -c -o $@ $<

$(BUILD)/opt/cp/%.o: %.c $(CP_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -g -O2 $(CP_INC) -c -o $@ $<

$(BUILD)/san/libcp.a: $(CP_SAN_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/mediaplaned: $(BUILD)/opt/cp/controlplane/main.o $(CP_OPT_OBJ) $(BUILD)/opt/libmpcore.a
	$(CC) -g -o $@ $^ $(CP_LIBS)

$(BUILD)/san/mediaplaned: $(BUILD)/san/cp/controlplane/main.o $(BUILD)/san/libcp.a $(BUILD)/san/libmpcore.a
	$(CC) -g $(SAN) -o $@ $^ $(CP_LIBS)

$(BUILD)/unit/cp_%: tests/controlplane/%.c $(wildcard tests/controlplane/*.h) $(BUILD)/san/libcp.a $(BUILD)/san/libmpcore.a
	@mkdir -p $(BUILD)/unit
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) $(CP_INC) -o $@ $< $(BUILD)/san/libcp.a $(BUILD)/san/libmpcore.a -lcmocka $(CP_LIBS)

$(BUILD)/san/enc/%.o: %.c $(ENC_HDR) $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) $(ENC_INC) -c -o $@ $<

$(BUILD)/opt/enc/%.o: %.c $(ENC_HDR) $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -g -O2 $(ENC_INC) -c -o $@ $<

$(BUILD)/mediaplane-encoder: $(BUILD)/opt/enc/encoder/main.o $(ENC_OPT_OBJ) $(BUILD)/opt/libmpcore.a
	$(CC) -g -o $@ $^ $(ENC_LIBS)

$(BUILD)/unit/enc_%: tests/encoder/%.c $(ENC_SAN_OBJ) $(BUILD)/san/libmpcore.a
	@mkdir -p $(BUILD)/unit
	$(CC) $(CSTD) $(WARN) -g -O1 $(SAN) $(ENC_INC) -o $@ $< $(ENC_SAN_OBJ) $(BUILD)/san/libmpcore.a -lcmocka $(ENC_LIBS)

# Fuzzers: every source is compiled once with clang (fuzzer-no-link +
# ASan/UBSan) and each target links all of them.  -fno-sanitize-recover: a
# UBSan finding must stop the fuzzer like an ASan one.
FUZZ_FLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined
ENC_FUZZ_SRC := $(filter-out encoder/enc_probe.c,$(ENC_SRC))
FUZZ_OBJ   := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(CORE_SRC) $(CP_ALL) $(ENC_FUZZ_SRC))
.SECONDARY: $(FUZZ_OBJ)

$(BUILD)/fuzz/obj/%.o: %.c $(CORE_HDR) $(CP_HDR) $(ENC_HDR)
	@mkdir -p $(dir $@)
	clang $(CSTD) $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -Icore $(CP_INC) $(ENC_INC) -c -o $@ $<

$(BUILD)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(FUZZ_OBJ)
	@mkdir -p $(BUILD)/fuzz
	clang $(CSTD) $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer -Icore $(CP_INC) $(ENC_INC) -o $@ $< $(FUZZ_OBJ) $(CP_LIBS)

unit: $(UNIT_BIN) $(CP_UNIT_BIN) $(ENC_UNIT_BIN)
tools: $(TOOL_BIN)
fuzz: $(FUZZ_BIN)
daemon: $(DAEMON)
encoder: $(ENCODER)

# Run every unit test binary; cmocka prints its own summary per suite.
check: unit
	@set -e; for t in $(UNIT_BIN) $(CP_UNIT_BIN) $(ENC_UNIT_BIN); do echo "== $$t"; $$t; done

clean:
	rm -rf $(BUILD)
