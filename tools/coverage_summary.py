"""Per-folder line and branch coverage from coverlet's Cobertura XML, into docs/TESTING.md.

usage: python3 tools/coverage_summary.py "a.xml;b.xml" docs/TESTING.md
A folder is the path below src/ up to the file (src/Recur/Layers/Recurrent/Lstm.cs → Recur/Layers/Recurrent).
Lines and branches are merged over the reports (a line is covered if any report covers it).
Also lists the public types of src/ whose executable lines no test runs at all.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

reports, doc = sys.argv[1].split(";"), sys.argv[2]
lines = defaultdict(int)              # (file, line) → hits
branches = {}                         # (file, line) → (covered, total)
for report in reports:
    root = ET.parse(report).getroot()
    sources = [s.text for s in root.iter("source")]
    for cls in root.iter("class"):
        name = cls.get("filename")
        path = next((os.path.join(s, name) for s in sources if os.path.exists(os.path.join(s, name))), name)
        path = path.replace("\\", "/")
        if "/src/" not in path:
            continue
        rel = path[path.index("/src/") + 5:]
        for line in cls.iter("line"):
            key = (rel, int(line.get("number")))
            lines[key] += int(line.get("hits"))
            m = re.match(r"\d+% \((\d+)/(\d+)\)", line.get("condition-coverage") or "")
            if m:
                c, t = int(m.group(1)), int(m.group(2))
                old = branches.get(key, (0, t))
                branches[key] = (max(old[0], c), t)

def folder(rel):
    return os.path.dirname(rel)

rows = defaultdict(lambda: [0, 0, 0, 0])  # folder → covered lines, lines, covered branches, branches
for (rel, _), hits in lines.items():
    r = rows[folder(rel)]
    r[1] += 1
    r[0] += hits > 0
for (rel, _), (c, t) in branches.items():
    r = rows[folder(rel)]
    r[2] += c
    r[3] += t

def pct(a, b):
    return f"{100.0 * a / b:.1f} %" if b else "—"

table = ["| folder | lines | line coverage | branches | branch coverage |", "|---|---:|---:|---:|---:|"]
total = [0, 0, 0, 0]
for f in sorted(rows):
    r = rows[f]
    total = [x + y for x, y in zip(total, r)]
    table.append(f"| `src/{f}` | {r[1]} | {pct(r[0], r[1])} | {r[3]} | {pct(r[2], r[3])} |")
table.append(f"| **all** | {total[1]} | **{pct(total[0], total[1])}** | {total[3]} | **{pct(total[2], total[3])}** |")

# Public types (by declaration) whose executable lines all have zero hits.
decl = re.compile(r"^\s*public\s+(?:(?:sealed|abstract|static|readonly|partial|unsafe|record)\s+)*(class|struct|record|interface|enum)\s+(\w+)")
covered_files = defaultdict(lambda: [0, 0])
for (rel, _), hits in lines.items():
    covered_files[rel][1] += 1
    covered_files[rel][0] += hits > 0
untested = []
for rel, (c, n) in sorted(covered_files.items()):
    if c:
        continue
    with open(os.path.join(os.path.dirname(doc), "..", "src", rel), encoding="utf-8") as f:
        for text in f:
            m = decl.match(text)
            if m and m.group(1) in ("class", "struct", "record"):
                untested.append(f"`{m.group(2)}` (`src/{rel}`)")
untested_text = ", ".join(untested) if untested else "none"

block = "\n".join(table) + f"\n\nPublic types whose code no test runs: {untested_text}.\n"
with open(doc, encoding="utf-8") as f:
    text = f.read()
begin, end = "<!-- coverage:begin -->", "<!-- coverage:end -->"
if begin not in text or end not in text:
    sys.exit(f"{doc}: the markers {begin} and {end} are missing")
text = text[: text.index(begin) + len(begin)] + "\n" + block + text[text.index(end):]
with open(doc, "w", encoding="utf-8") as f:
    f.write(text)
print("\n".join(table))
print(f"untested public types: {untested_text}")
