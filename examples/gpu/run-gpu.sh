#!/usr/bin/env bash
# TornadoVM on an NVIDIA GPU: the TornadoVM tests, then `modej bench` on configs A, B and C with
# the GPU as the device, beside the same models in PyTorch on CUDA where PyTorch is installed.
# Needs no network once Maven's local repository holds the project's dependencies (see README.md).
#
#   TORNADOVM_HOME=/opt/tornadovm-5.2.0-jdk25-ptx JAVA_HOME=/opt/jdk-25 examples/gpu/run-gpu.sh
#
# Environment (only the first two are required):
#   TORNADOVM_HOME  a TornadoVM SDK with the PTX or OpenCL backend (bin/, share/java/tornado/, tornado-argfile)
#   JAVA_HOME       the JDK of the SDK's flavour (JDK 25 for 5.2.0-jdk25)
#   DEVICE          TornadoVM device index as `./modej devices` lists it (default: the first NVIDIA one)
#   CONFIGS         configs to bench, default "A B C"
#   STEPS, WARMUP   timed and untimed steps per bench (default 20 and 3)
#   PYTHON          a Python whose torch sees CUDA, for the reference numbers (default python3)
#   OUT             where results go (default runs/gpu/<UTC time>)
#   MAVEN_REPO      Maven's local repository, if not ~/.m2/repository
#   SKIP_TESTS=1    skip `mvn -Ptornado test`
#   PROFILE=1       also time every kernel (`bench --profile`; adds a device sync per task)
# Options: --check  check the environment, pick the device and print the plan, run nothing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
say() { printf 'run-gpu: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

check_only=0
case "${1:-}" in
  --check) check_only=1 ;;
  -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) die "unknown option '$1' (try --help)" ;;
esac

# --- the SDK, the JDK and Maven ----------------------------------------------------------------
[ -n "${TORNADOVM_HOME:-}" ] || die "set TORNADOVM_HOME to a TornadoVM SDK (PTX or OpenCL backend)"
[ -d "$TORNADOVM_HOME/share/java/tornado" ] || die "TORNADOVM_HOME=$TORNADOVM_HOME has no share/java/tornado: not a TornadoVM SDK"
[ -f "$TORNADOVM_HOME/tornado-argfile" ] || die "$TORNADOVM_HOME/tornado-argfile is missing; write it with $TORNADOVM_HOME/bin/tornado --generate-argfile"
version=$(sed -n 's/^[Vv]ersion=//p' "$TORNADOVM_HOME/etc/tornado.release" 2>/dev/null || true)
[ -n "$version" ] || die "cannot read the TornadoVM version from $TORNADOVM_HOME/etc/tornado.release"
release="${version##*-jdk}"
case "$release" in ''|*[!0-9]*) die "TornadoVM version '$version' does not end in -jdkNN" ;; esac
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] || die "set JAVA_HOME to a JDK $release (TornadoVM $version needs it)"
java_version=$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
[ "${java_version:-0}" -ge "$release" ] || die "JAVA_HOME=$JAVA_HOME is JDK ${java_version:-?}; TornadoVM $version needs JDK $release"
command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to build the project"
export JAVA_HOME TORNADOVM_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# No network: Maven works from its local repository only (./modej's build reads MAVEN_ARGS too).
export MAVEN_ARGS="${MAVEN_ARGS:-} -o"
mvn_tornado=(-B -o -Ptornado "-Dtornado.version=$version" "-Dtornado.java.release=$release")

repo="${MAVEN_REPO:-$HOME/.m2/repository}"
[ -d "$repo" ] || die "no local Maven repository at $repo (set MAVEN_REPO to yours; it must hold the project's dependencies)"
for artifact in tornado-api tornado-runtime; do
  jar="$repo/io/github/beehive-lab/$artifact/$version/$artifact-$version.jar"
  if [ ! -f "$jar" ]; then
    sdk_jar="$TORNADOVM_HOME/share/java/tornado/$artifact-$version.jar"
    [ -f "$sdk_jar" ] || die "neither $jar nor $sdk_jar exists"
    say "installing $artifact $version from the SDK into $repo"
    [ "$check_only" = 1 ] && continue
    mvn -B -o -q install:install-file "-Dfile=$sdk_jar" -DgroupId=io.github.beehive-lab "-DartifactId=$artifact" \
        "-Dversion=$version" -Dpackaging=jar || die "could not install $sdk_jar into Maven's local repository"
  fi
done

# --- the device --------------------------------------------------------------------------------
say "TornadoVM $version at $TORNADOVM_HOME, JDK $java_version at $JAVA_HOME"
devices=$("$root/modej" --tornado devices) || die "./modej --tornado devices failed (see above)"
printf '%s\n' "$devices"
if [ -z "${DEVICE:-}" ]; then
  DEVICE=$(printf '%s\n' "$devices" | awk '$1 == "tornado" && $2 ~ /^[0-9]+$/ && tolower($0) ~ /nvidia|geforce|tesla|quadro|ptx|cuda|[ahlb][0-9]+ /{print $2; exit}')
  [ -n "$DEVICE" ] || die "no NVIDIA device among TornadoVM's devices above; set DEVICE to the index of the one to use"
fi
printf '%s\n' "$devices" | awk -v d="$DEVICE" '$1 == "tornado" && $2 == d {found=1} END {exit !found}' \
  || die "DEVICE=$DEVICE is not one of TornadoVM's devices above"
device_name=$(printf '%s\n' "$devices" | awk -v d="$DEVICE" '$1 == "tornado" && $2 == d {$1=""; $2=""; sub(/^ +/, ""); print; exit}')
say "device tornado:$DEVICE: $device_name"

# --- the plan ----------------------------------------------------------------------------------
CONFIGS="${CONFIGS:-A B C}"
STEPS="${STEPS:-20}"
WARMUP="${WARMUP:-3}"
config_flags() {
  case "$1" in
    A) echo "--layers 4 --dim 128 --heads 4 --seq 128 --batch 8 --vocab 256" ;;
    B) echo "--layers 6 --dim 384 --heads 6 --seq 256 --batch 8 --vocab 256" ;;
    C) echo "--layers 12 --dim 768 --heads 12 --seq 256 --batch 4 --vocab 50257" ;;
    *) return 1 ;;
  esac
}
for c in $CONFIGS; do config_flags "$c" >/dev/null || die "unknown config '$c' in CONFIGS (A, B or C)"; done
PYTHON="${PYTHON:-python3}"
torch_ok=0
if command -v "$PYTHON" >/dev/null 2>&1 && "$PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  torch_ok=1
  say "PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__, "on", torch.cuda.get_device_name(0))')"
else
  say "no PyTorch with CUDA at '$PYTHON': TornadoVM numbers only (set PYTHON to one with torch for CUDA)"
fi
OUT="${OUT:-runs/gpu/$(date -u +%Y%m%dT%H%M%SZ)}"
profile=()
[ "${PROFILE:-0}" = 1 ] && profile=(--profile)
say "plan: $([ "${SKIP_TESTS:-0}" = 1 ] && echo "no tests" || echo "mvn -Ptornado test on tornado:$DEVICE"), then bench $CONFIGS ($STEPS steps after $WARMUP) into $OUT"
if [ "$check_only" = 1 ]; then
  for c in $CONFIGS; do
    say "  $c: ./modej --tornado bench $(config_flags "$c") --backend tornado --device $DEVICE --steps $STEPS --warmup $WARMUP --json ${profile[*]:-}"
    [ "$torch_ok" = 1 ] && say "  $c: $PYTHON examples/gpu/torch_gpt_cuda.py $(config_flags "$c") --steps $STEPS --warmup $WARMUP"
  done
  exit 0
fi
mkdir -p "$OUT"
{ date -u; uname -a; printf 'TornadoVM %s (%s)\nJDK %s\ndevice tornado:%s %s\n' "$version" "$TORNADOVM_HOME" \
    "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)" "$DEVICE" "$device_name"
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
} > "$OUT/environment.txt"

# --- 1. the TornadoVM tests, on the GPU -------------------------------------------------------
if [ "${SKIP_TESTS:-0}" != 1 ]; then
  say "mvn -Ptornado test on tornado:$DEVICE (log: $OUT/tests.log)"
  if mvn "${mvn_tornado[@]}" "-Dmodej.tornado.device=$DEVICE" test > "$OUT/tests.log" 2>&1; then
    say "tests passed: $(grep -h 'Tests run:' "$OUT/tests.log" | tail -1 | sed 's/^\[[A-Z]*\] *//')"
  else
    grep -h 'Tests run:\|FAIL\|ERROR\]' "$OUT/tests.log" | tail -15 >&2 || true
    die "the TornadoVM tests failed on tornado:$DEVICE; see $OUT/tests.log (benchmarks not run)"
  fi
fi

# --- 2. bench A, B, C on the GPU, and PyTorch beside it ---------------------------------------
json_field() { # json_field FILE KEY: the number after "KEY": in the file's last line
  tail -1 "$1" | sed -n "s/.*\"$2\":\([-0-9.eE]*\).*/\1/p"
}
for c in $CONFIGS; do
  flags=$(config_flags "$c")
  say "bench $c on tornado:$DEVICE: $flags"
  # shellcheck disable=SC2086
  if ! "$root/modej" --tornado bench $flags --backend tornado --device "$DEVICE" --steps "$STEPS" --warmup "$WARMUP" \
       --json ${profile[@]+"${profile[@]}"} > "$OUT/tornado-$c.json" 2> "$OUT/tornado-$c.log"; then
    tail -5 "$OUT/tornado-$c.log" >&2
    say "bench $c failed on TornadoVM (see $OUT/tornado-$c.log)"
  fi
  if [ "$torch_ok" = 1 ]; then
    say "bench $c in PyTorch on CUDA"
    # shellcheck disable=SC2086
    "$PYTHON" "$root/examples/gpu/torch_gpt_cuda.py" $flags --steps "$STEPS" --warmup "$WARMUP" \
        > "$OUT/torch-$c.json" 2> "$OUT/torch-$c.log" || say "PyTorch bench $c failed (see $OUT/torch-$c.log)"
  fi
done

# --- 3. the table --------------------------------------------------------------------------------
{
  printf '%-6s %14s %14s %12s %14s %14s %9s\n' config "modej tok/s" "modej fwd" "1st step ms" "torch tok/s" "torch fwd" "ratio"
  for c in $CONFIGS; do
    mt=$(json_field "$OUT/tornado-$c.json" train_tok_s 2>/dev/null || true)
    mf=$(json_field "$OUT/tornado-$c.json" infer_tok_s 2>/dev/null || true)
    m1=$(json_field "$OUT/tornado-$c.json" ms_first_step 2>/dev/null || true)
    tt=""; tf=""
    if [ -f "$OUT/torch-$c.json" ]; then
      tt=$(json_field "$OUT/torch-$c.json" train_tok_s || true)
      tf=$(json_field "$OUT/torch-$c.json" infer_tok_s || true)
    fi
    ratio=$(awk -v m="${mt:-}" -v t="${tt:-}" 'BEGIN { if (m != "" && t != "" && t > 0) printf "%.2f", m / t; else print "-" }')
    printf '%-6s %14s %14s %12s %14s %14s %9s\n' "$c" "${mt:--}" "${mf:--}" "${m1:--}" "${tt:--}" "${tf:--}" "$ratio"
  done
  echo "tok/s: training (forward, backward, AdamW) and forward-only tokens per second, medians of $STEPS steps after $WARMUP;"
  echo "ratio: modej training tok/s / PyTorch's (eager fp32, TF32 off); 1st step: modej's first step, mostly TornadoVM compiling."
} | tee "$OUT/summary.txt"
say "results in $OUT"
