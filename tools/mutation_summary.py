"""Summarises a Stryker mutation-report.json: counts, score and the mutants that lived.

usage: python3 tools/mutation_summary.py FOLDER StrykerOutput/FOLDER/reports/mutation-report.json
Score = detected / (detected + undetected), detected = Killed + Timeout,
undetected = Survived + NoCoverage (Stryker's own definition); CompileError and Ignored are left out.
"""
import json
import os
import sys
from collections import Counter

folder, path = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    report = json.load(f)
counts, lived = Counter(), []
for name, entry in sorted(report["files"].items()):
    short = name[name.find("src/Recur/"):] if "src/Recur/" in name else os.path.relpath(name)
    for m in entry["mutants"]:
        counts[m["status"]] += 1
        if m["status"] in ("Survived", "NoCoverage"):
            line = m["location"]["start"]["line"]
            lived.append(f'{m["status"]:10} {short}:{line}  {m["mutatorName"]}: {m.get("replacement", "").strip()[:90]}')
detected = counts["Killed"] + counts["Timeout"]
undetected = counts["Survived"] + counts["NoCoverage"]
score = 100.0 * detected / max(1, detected + undetected)
print(f"{folder}: score {score:.1f} % — killed {counts['Killed']}, timeout {counts['Timeout']}, "
      f"survived {counts['Survived']}, no coverage {counts['NoCoverage']}, "
      f"compile error {counts['CompileError']}, ignored {counts['Ignored']}")
for l in lived:
    print("  " + l)
