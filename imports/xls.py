"""An Excel 97-2003 (.xls) sheet's rows, read by python-calamine in a child process with
a memory limit.

calamine builds a sheet's whole rectangle before the first row is read, and .xls is not
a zip of XML that could be scanned first: a 5 KB file with one cell at IV65536 is
65,536 x 256 cells, 1 GB and 5 s. The child reads the sheet under ``MEMORY_LIMIT`` and
sends the rows back as JSON lines; a sheet that needs more stops the child, not the
worker, and is refused.

Run as ``python -m imports.xls PATH MAX_COLUMNS`` by ``xls_rows``.
"""

import json
import resource
import subprocess
import sys

from python_calamine import CalamineError, CalamineWorkbook

# Address space for the child: Python and calamine take about 60 MB; a real customer
# sheet of 65,536 rows and 30 columns takes 70 MB more.
MEMORY_LIMIT = 512 * 2**20
REFUSED = 3  # the child's exit status when it says on stderr why the sheet is refused


class XlsProblem(Exception):
    """The sheet cannot be read within the limits; the message says why."""


def xls_rows(path, *, max_columns):
    """(row number, [values as text]) for each row of the sheet."""
    child = subprocess.Popen(
        [sys.executable, "-m", "imports.xls", str(path), str(max_columns)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in child.stdout:
            number, cells = json.loads(line)
            yield number, cells
    finally:
        child.stdout.close()
        child.kill()  # when the reader stops early; no-op once the child has exited
        error = child.stderr.read().strip()
        child.stderr.close()
        status = child.wait()
    if status == REFUSED:
        raise XlsProblem(error)
    if status:
        raise XlsProblem(
            f"the sheet needs more than {MEMORY_LIMIT // 2**20} MB to open (a cell far from "
            "the others makes it a huge rectangle). Save it again as .xlsx or as CSV."
        )


def refuse(message):
    print(message, file=sys.stderr)
    sys.exit(REFUSED)


def main(path, max_columns):
    from .reading import cell_text  # in the child only

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    try:
        sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    except CalamineError as error:
        refuse(f"{error}.")
    if sheet.width > max_columns:
        refuse(f"the sheet has {sheet.width:,} columns; a customer file has at most {max_columns}.")
    first_row = sheet.start[0] + 1 if sheet.start else 1
    for number, cells in enumerate(sheet.iter_rows(), first_row):
        print(json.dumps([number, [cell_text(cell) for cell in cells]]))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
