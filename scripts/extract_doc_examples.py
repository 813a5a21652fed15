"""Copy the vendor doc's example request/response pairs, verbatim, into tests/golden/.

Usage: python scripts/extract_doc_examples.py DOC OUT_DIR, e.g. DOC
../shared/api-docs/ptengine-open-api.md and OUT_DIR tests/golden/ptengine

Each ```json response block is paired with the closest preceding curl request (its path
and its -d body); the pair is written as <n>_<path>_<kind>.json with the keys
"request" {method, path, body} and "response" (the doc's JSON, parsed, unchanged).
"""

import json
import re
import sys
from pathlib import Path

CURL = re.compile(r"curl -X (GET|POST) \"?https://[^/]+(/[^\s\"?]+)(\?[^\s\"]*)?")


def extract(doc: str) -> list[dict]:
    lines = doc.splitlines()
    pairs, request, i = [], None, 0
    while i < len(lines):
        line = lines[i]
        m = CURL.search(line)
        if m:
            method, path, query = m.group(1), m.group(2), m.group(3) or ""
            body_lines, j = [], i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                body_lines.append(lines[j])
                j += 1
            text = "\n".join(body_lines)
            body = {}
            if "-d '" in text:
                raw = text[text.index("-d '") + 4: text.rindex("'")]
                body = json.loads(raw)
            request = {"method": method, "path": path, "query": query.lstrip("?"), "body": body}
            i = j
        elif line.strip() == "```json" and request is not None:
            j = i + 1
            block = []
            while not lines[j].startswith("```"):
                block.append(lines[j])
                j += 1
            try:
                response = json.loads("\n".join(block))
            except json.JSONDecodeError:
                response = None
            if isinstance(response, dict) and "code" in response:
                pairs.append({"request": request, "response": response})
                request = None
            i = j
        i += 1
    return pairs


def name_of(n: int, pair: dict) -> str:
    req = pair["request"]
    tail = req["path"].rsplit("/open-api/v1/", 1)[-1].replace("/", "_")
    body = req["body"]
    kind = body.get("queryType") or body.get("name") or ""
    extra = body.get("topic") or body.get("dimension") or body.get("metric") or ""
    parts = [f"{n:02d}", tail, kind, extra]
    return "_".join(p for p in parts if p).replace("-", "_") + ".json"


def main(doc_path: str, out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for n, pair in enumerate(extract(Path(doc_path).read_text()), 1):
        (out / name_of(n, pair)).write_text(json.dumps(pair, indent=2, ensure_ascii=False) + "\n")
        print(name_of(n, pair))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
