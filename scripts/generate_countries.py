"""Regenerate prompts/countries.txt, the ISO 3166-1 alpha-2 codes Hearth accepts as a country.

Run it where Debian's tzdata is installed, then review the diff and commit it:

    .venv/bin/python scripts/generate_countries.py [/usr/share/zoneinfo/iso3166.tab]

Hearth never reads /usr/share at run time (the Docker image may not have tzdata): only the generated file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SOURCE = Path("/usr/share/zoneinfo/iso3166.tab")
TARGET = Path(__file__).resolve().parent.parent / "prompts" / "countries.txt"


def tzdata_version() -> str:
    try:
        out = subprocess.run(  # noqa: S603 - a fixed command
            ["/usr/bin/dpkg-query", "-W", "-f=${Version}", "tzdata"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else SOURCE
    rows = [line.split("\t") for line in source.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    body = "".join(f"{code}\t{name}\n" for code, name in sorted((row[0], row[1]) for row in rows if row[0]))
    header = (
        "# ISO 3166-1 alpha-2 country codes: the codes /country, /resources, DEFAULT_COUNTRY and the community\n"
        "# settings accept (with the aliases in prompts/crisis/resources.yaml, e.g. UK for GB). One code a line,\n"
        "# a tab, then the English name. Loaded and checked at start-up by bot/countries.py.\n"
        f"# Generated from {source} (Debian tzdata {tzdata_version()}, public domain).\n"
        "# Regenerate: .venv/bin/python scripts/generate_countries.py, then review the diff. Do not edit by hand.\n"
    )
    TARGET.write_text(header + body, encoding="utf-8")
    print(f"wrote {len(rows)} codes to {TARGET}")  # noqa: T201 - a script's one line
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
