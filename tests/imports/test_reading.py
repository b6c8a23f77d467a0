"""Reading an uploaded file as a table, and refusing one that cannot be read, saying why."""

import pytest

from imports.reading import MAX_BYTES, FileProblem, open_table
from tests.imports.workbooks import write_xlsx

HEADER = "first_name,last_name,email\n"


def table_of(tmp_path, content, name="customers.csv", **options):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return open_table(path, name=name, **options)


def rows_of(table):
    return list(table.rows)


class TestCsv:
    def test_a_utf8_file_with_a_bom_reads_with_line_numbers(self, tmp_path):
        table = table_of(
            tmp_path, "\ufeff" + HEADER + "Ada,Lovelace,ada@example.com\n\nZoë,Ø,z@example.com\n"
        )

        assert table.header == ["first_name", "last_name", "email"]
        assert rows_of(table) == [
            (2, ["Ada", "Lovelace", "ada@example.com"]),
            (4, ["Zoë", "Ø", "z@example.com"]),
        ]

    def test_semicolons_are_detected_and_quoted_cells_keep_theirs(self, tmp_path):
        table = table_of(tmp_path, 'first_name;notes\nAda;"likes tea; and cake"\n')

        assert rows_of(table) == [(2, ["Ada", "likes tea; and cake"])]

    def test_a_cell_spanning_lines_keeps_the_line_it_ends_on(self, tmp_path):
        table = table_of(tmp_path, HEADER + '"Ada","Love\nlace",a@x.org\nGrace,Hopper,g@x.org\n')

        assert [number for number, _ in table.rows] == [3, 4]

    def test_latin1_bytes_in_a_utf8_file_are_refused_with_the_line(self, tmp_path):
        content = (HEADER + "Ada,Lovelace,a@x.org\n").encode() + "Zoë,Smith,z@x.org\n".encode(
            "latin-1"
        )

        with pytest.raises(
            FileProblem, match=r"Line 3 is not UTF-8 text \(byte 0xeb at position 3\)"
        ):
            rows_of(table_of(tmp_path, content))

    def test_latin1_is_read_when_chosen(self, tmp_path):
        content = (HEADER + "Zoë,Smith,z@x.org\n").encode("latin-1")

        assert rows_of(table_of(tmp_path, content, encoding="latin-1")) == [
            (2, ["Zoë", "Smith", "z@x.org"])
        ]

    def test_a_nul_byte_is_refused(self, tmp_path):
        with pytest.raises(FileProblem, match="Line 2 contains a NUL byte"):
            rows_of(table_of(tmp_path, HEADER.encode() + b"Ada\x00,Lovelace,a@x.org\n"))

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "This file is empty."),
            (HEADER, "has a header row but no customers"),
            (HEADER + "\n,,\n", "has a header row but no customers"),
            ("\n\n\n", "The first row should name the columns"),
            (",".join(["x"] * 1_000_000) + "\n", "Line 1 has 1,000,000 fields"),
        ],
    )
    def test_files_without_customers_are_refused(self, tmp_path, content, message):
        with pytest.raises(FileProblem, match=message):
            table_of(tmp_path, content)

    def test_a_row_of_a_million_fields_is_refused_without_reading_on(self, tmp_path):
        with pytest.raises(FileProblem, match="Line 3 has 1,000,000 fields"):
            rows_of(table_of(tmp_path, HEADER + "a,b,c\n" + ",".join(["x"] * 1_000_000) + "\n"))

    def test_a_row_with_more_fields_than_the_header_is_read_for_validation_to_report(
        self, tmp_path
    ):
        assert rows_of(table_of(tmp_path, HEADER + "a,b,c,d\n")) == [(2, ["a", "b", "c", "d"])]

    def test_a_file_over_100_mb_is_refused_before_reading(self, tmp_path):
        path = tmp_path / "big.csv"
        with path.open("wb") as file:
            file.truncate(MAX_BYTES + 1)

        with pytest.raises(FileProblem, match="104,857,601 bytes, over the limit of 100 MB"):
            open_table(path, name="big.csv")


class TestWorkbooks:
    def test_cells_are_read_as_text_and_formulas_as_saved_never_evaluated(self, tmp_path):
        path = write_xlsx(tmp_path / "c.xlsx", [
            ["first_name", "phone", "loyalty_balance"],
            ["Ada", 4155550123, ("=1+1", 7)],
            ["=cmd|' /C calc'!A0", 1.5, ("=HYPERLINK(\"http://x\")", "0")],
        ])  # fmt: skip

        table = open_table(path, name="customers.xlsx")

        assert table.header == ["first_name", "phone", "loyalty_balance"]
        assert rows_of(table) == [
            (2, ["Ada", "4155550123", "7"]),
            (3, ["=cmd|' /C calc'!A0", "1.5", "0"]),
        ]

    def test_a_zip_bomb_is_refused_before_it_is_opened(self, tmp_path):
        path = write_xlsx(tmp_path / "bomb.xlsx", [["first_name"], ["Ada"]], padding=50_000_000)

        with pytest.raises(FileProblem, match="would expand to"):
            open_table(path, name="bomb.xlsx")

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            (
                "customers.xlsx",
                HEADER + "a,b,c\n",
                "named customers.xlsx but is not an Excel workbook",
            ),
            ("customers.xls", HEADER + "a,b,c\n", "not an Excel 97-2003 workbook"),
            ("customers.csv", None, "is a spreadsheet workbook: save it as CSV"),
            ("customers.xls", None, "named customers.xls but is not an Excel 97-2003 workbook"),
        ],
    )
    def test_a_file_that_is_not_what_its_name_says_is_refused(
        self, tmp_path, name, content, message
    ):
        path = tmp_path / "upload"
        if content is None:
            write_xlsx(path, [["first_name"], ["Ada"]])
        else:
            path.write_text(content)

        with pytest.raises(FileProblem, match=message):
            open_table(path, name=name)
