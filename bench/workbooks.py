"""Reading customer workbooks: python-calamine against imports.workbooks' stream of rows.

    .venv/bin/python bench/workbooks.py --rows 100000

Writes a CSV of ``--rows`` customers (14 columns) under bench/data/, has LibreOffice Calc
save it as .xlsx and .ods (shared strings, typed cells: as a spreadsheet saves them),
then reads every row of each, once with calamine and once with the stream that imports
use, each in a fresh process: seconds and peak memory (RSS). (The hostile files of the
attacker's second visit are read under a memory cap by
tests/imports/test_hostile_workbooks.py.) Needs `soffice` (apt-get install libreoffice-calc-nogui).
"""

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
HEADER = [
    "first_name", "last_name", "email", "phone", "date_of_birth", "stores", "loyalty_enrolled",
    "loyalty_balance", "address_line1", "city", "state", "zip_code", "country", "notes",
]  # fmt: skip
READERS = {
    "calamine": (
        "from python_calamine import CalamineWorkbook\n"
        "from imports.reading import cell_text\n"
        "rows = 0\n"
        "for row in CalamineWorkbook.from_path(PATH).get_sheet_by_index(0).iter_rows():\n"
        "    [cell_text(cell) for cell in row]\n"
        "    rows += 1\n"
    ),
    "stream": (
        "from imports.reading import open_table\n"
        "rows = 1 + sum(1 for _ in open_table(PATH, name=PATH, max_bytes=None).rows)\n"
    ),
}
TIMED = (
    "import resource, time\nPATH = {path!r}\nstarted = time.perf_counter()\n{code}"
    "print(rows, round(time.perf_counter() - started, 2), "
    "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
)


def customers_csv(rows):
    path = DATA / f"workbook-{rows}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(HEADER)
            for n in range(rows):
                writer.writerow([
                    f"Ada{n}", "Lovelace", f"ada{n}@example.com", f"+1512555{n % 10000:04d}",
                    f"19{50 + n % 50}-0{1 + n % 9}-1{n % 9}", "DT01", "true", n % 5000,
                    f"{n} Main Street", "Austin", "TX", f"{78700 + n % 100}", "US", f"note {n}",
                ])  # fmt: skip
    return path


def saved_by_calc(source, extension):
    path = source.with_suffix(f".{extension}")
    if not path.exists():
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(
                ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                 "--infilter=CSV:44,34,76,1,,1033,false,true", "--convert-to", extension,
                 "--outdir", str(DATA), str(source)],
                check=True, capture_output=True,
            )  # fmt: skip
    return path


def read(path, code):
    done = subprocess.run(
        [sys.executable, "-c", TIMED.format(path=str(path), code=code)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows, seconds, peak = done.stdout.split()
    return int(rows), float(seconds), int(peak)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    if not shutil.which("soffice"):
        sys.exit("LibreOffice Calc is needed: apt-get install libreoffice-calc-nogui")
    source = customers_csv(rows)
    print(f"{rows:,} customers, {len(HEADER)} columns, saved by LibreOffice Calc")
    print(f"{'file':<8} {'MB':>6} {'reader':<9} {'rows':>9} {'seconds':>8} {'peak MiB':>9}")
    for extension in ("xlsx", "ods"):
        path = saved_by_calc(source, extension)
        size = path.stat().st_size / 2**20
        for name, code in READERS.items():
            counted, seconds, peak = read(path, code)
            print(f".{extension:<7} {size:6.1f} {name:<9} {counted:9,} {seconds:8.2f} {peak:9,}")


if __name__ == "__main__":
    main()
