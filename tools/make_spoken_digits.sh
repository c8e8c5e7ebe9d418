#!/usr/bin/env bash
# Synthesises the bundled connected-spoken-digits corpus (data/spoken_digits/): 1–7 English digits
# per utterance ("three one four one five" -> "3 1 4 1 5"; zero said as "zero" or, as people often
# say it, "oh"), spoken by Debian's espeak-ng (English accents × voice variants: men, women,
# speeds, pitches) and flite (its voices), at 8 kHz, with noise mixed in at several SNRs by sox.
#
# THE SPEECH IS SYNTHETIC: no human recording is involved.
#
# Split by voice: a voice is an espeak-ng accent with a variant, or a flite voice. The test set's
# variants and flite voice never occur in training, so test voices are never heard in training.
# Each training utterance is stored twice, clean and with noise (the augmentation `recur listen
# --noise false` leaves out); each test utterance once, clean or noisy.
#
# The WAVs (8 kHz, 16-bit mono) and their manifests go to a work directory; `recur listen pack`
# turns them into the bundled feature files (log-mel, uint8, gzip) so the corpus stays under 20 MB.
# Reproducible exactly from the seed with the same espeak-ng, flite, sox, bash and Recur versions:
# every random choice comes from bash's seeded $RANDOM, sox runs in repeatable mode (-R).
#
# Usage: tools/make_spoken_digits.sh [--seed N] [--train N] [--test N] [--work DIR] [--out DIR] [--wavs-only] [--only train|test]
# (each split draws from its own seeded stream, so --train N gives the first N of a longer run)
#   needs: espeak-ng flite sox (apt-get install espeak-ng flite sox) and the .NET SDK for the packing step.
set -euo pipefail

seed=15
train_count=1500
test_count=450
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/data/spoken_digits"
work=""
wavs_only=false
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --train) train_count="$2"; shift 2 ;;
    --test) test_count="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --wavs-only) wavs_only=true; shift ;;
    --only) only="$2"; shift 2 ;;
    *) echo "make_spoken_digits.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in espeak-ng flite sox; do
  command -v "$tool" >/dev/null || { echo "make_spoken_digits.sh: $tool is missing (apt-get install espeak-ng flite sox)" >&2; exit 2; }
done
[ -n "$work" ] || work="$(mktemp -d)"
mkdir -p "$work/train" "$work/test" "$work/noise"
export LC_ALL=C
RANDOM=$seed

# ---- voices: espeak-ng accents × variants, and flite voices -----------------------------------
accents=(en-us en-gb en-gb-scotland en-gb-x-gbclan en-gb-x-rp en-gb-x-gbcwmd en-029 en-us-nyc)
train_variants=(m1 m2 m3 m5 m6 m8 f1 f2 f4 klatt klatt3 klatt4 Andy Annie Denis Gene Jacky Lee Linda Mike Paul Robert Steph Alex)
test_variants=(m4 m7 f3 f5 klatt2 Michael Edward anika)
train_flite=(kal awb slt)
test_flite=(rms)

words=(zero one two three four five six seven eight nine)
noises=(white pink brown)
snrs=(20 15 10 5)

# One long noise recording per colour (repeatable), from which each utterance takes a random slice.
for colour in "${noises[@]}"; do
  sox -R -n -r 8000 -b 16 -c 1 "$work/noise/$colour.wav" synth 120 "${colour}noise" vol 0.5
done

# Every draw goes through rand in the current shell (never in $(...): a subshell would not advance
# the seeded generator). rand N sets R to a uniform integer in [0, N).
rand() { R=$((RANDOM % $1)); }

# say TEXT OUT SPLIT: synthesises TEXT to OUT with a voice drawn from SPLIT's voices; sets VOICE.
say() {
  local text="$1" wav="$2" split="$3"
  local -n variants="${split}_variants"
  local -n flites="${split}_flite"
  rand 5
  if [ "$R" -eq 0 ]; then
    rand ${#flites[@]}; VOICE="flite-${flites[$R]}"
    rand 50; local stretch; stretch=$(awk -v r="$R" 'BEGIN { printf "%.2f", 0.8 + r / 100 }')
    rand 110; local f0=$((90 + R))
    flite -voice "${VOICE#flite-}" --setf duration_stretch="$stretch" --setf int_f0_target_mean="$f0" -t "$text" -o "$wav"
  else
    rand ${#accents[@]}; local accent="${accents[$R]}"
    rand ${#variants[@]}; VOICE="$accent+${variants[$R]}"
    rand 90; local speed=$((120 + R))
    rand 60; local pitch=$((25 + R))
    rand 4; local gap=$R
    espeak-ng -v "$VOICE" -s "$speed" -p "$pitch" -g "$gap" -w "$wav" "$text"
  fi
}

# finish RAW OUT NOISE(none|colour) SNR: 8 kHz 16-bit mono, silence trimmed, random padding and
# level, noise (a random slice of the long recording) at SNR dB relative to the speech's RMS.
finish() {
  local raw="$1" wav="$2" noise="$3" snr="$4"
  rand 25; local pre; pre=$(printf '0.%02d' $((5 + R)))
  rand 25; local post; post=$(printf '0.%02d' $((5 + R)))
  rand 12; local gain="-$R"
  rand 100; local offset=$R
  sox -R -D "$raw" -r 8000 -b 16 -c 1 "$wav.clean.wav" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad "$pre" "$post" gain -n "$gain"
  if [ "$noise" = none ]; then
    mv "$wav.clean.wav" "$wav"
    return
  fi
  local duration rms_speech rms_noise factor
  duration=$(soxi -D "$wav.clean.wav")
  sox -R -D "$work/noise/$noise.wav" "$wav.noise.wav" trim "$offset" "$duration"
  rms_speech=$(sox "$wav.clean.wav" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
  rms_noise=$(sox "$wav.noise.wav" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
  factor=$(awk -v s="$rms_speech" -v n="$rms_noise" -v snr="$snr" 'BEGIN { printf "%.6f", (s / n) / exp(snr / 20 * log(10)) }')
  sox -R -D -m "$wav.clean.wav" -v "$factor" "$wav.noise.wav" "$wav" gain -n "$gain"
  rm -f "$wav.clean.wav" "$wav.noise.wav"
}

# make_split SPLIT COUNT: COUNT utterances; writes SPLIT/manifest.tsv (file, transcript, voice, condition).
make_split() {
  local split="$1" count="$2" i n k text digits wav colour snr name
  local manifest="$work/$split/manifest.tsv"
  : > "$manifest"
  if [ "$split" = train ]; then RANDOM=$seed; else RANDOM=$((seed + 1)); fi # each split reproducible on its own
  for ((i = 0; i < count; i++)); do
    rand 7; n=$((1 + R))
    text="" digits=""
    for ((k = 0; k < n; k++)); do
      rand 10; local d=$R
      rand 2
      if [ "$d" -eq 0 ] && [ "$R" -eq 0 ]; then text+="oh "; else text+="${words[$d]} "; fi
      digits+="$d "
    done
    text="${text% }" digits="${digits% }"
    name=$(printf %05d "$i")
    wav="$work/$split/$name"
    say "$text" "$wav.raw.wav" "$split"
    rand ${#noises[@]}; colour="${noises[$R]}"
    rand ${#snrs[@]}; snr="${snrs[$R]}"
    if [ "$split" = train ]; then
      cp "$wav.raw.wav" "$wav.raw2.wav"
      finish "$wav.raw.wav" "$wav.clean.wav" none 0
      finish "$wav.raw2.wav" "$wav.noisy.wav" "$colour" "$snr"
      printf '%s\t%s\t%s\t%s\n' "$name.clean.wav" "$digits" "$VOICE" clean >> "$manifest"
      printf '%s\t%s\t%s\t%s\n' "$name.noisy.wav" "$digits" "$VOICE" "$colour-${snr}dB" >> "$manifest"
      rm -f "$wav.raw2.wav"
    else
      rand 2
      if [ "$R" -eq 0 ]; then
        finish "$wav.raw.wav" "$wav.wav" none 0
        printf '%s\t%s\t%s\t%s\n' "$name.wav" "$digits" "$VOICE" clean >> "$manifest"
      else
        finish "$wav.raw.wav" "$wav.wav" "$colour" "$snr"
        printf '%s\t%s\t%s\t%s\n' "$name.wav" "$digits" "$VOICE" "$colour-${snr}dB" >> "$manifest"
      fi
    fi
    rm -f "$wav.raw.wav"
  done
  echo "make_spoken_digits.sh: $split: $(wc -l < "$manifest") files in $work/$split" >&2
}

[ "$only" = test ] || make_split train "$train_count"
[ "$only" = train ] || make_split test "$test_count"
[ "$wavs_only" = true ] && { echo "$work"; exit 0; }

mkdir -p "$out"
cli=(dotnet run --project "$root/src/Recur.Cli" -c Release --)
"${cli[@]}" listen pack --manifest "$work/train/manifest.tsv" --out "$out/train.digits.gz"
"${cli[@]}" listen pack --manifest "$work/test/manifest.tsv" --out "$out/test.digits.gz"
echo "make_spoken_digits.sh: wrote $out (seed $seed); WAVs kept in $work" >&2
