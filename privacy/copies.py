"""Copies of a customer's data kept outside their own rows: a list's search in the audit
trail and on an export, an export's file, an import's upload and its findings, the
description of an account and the references of its entries, a register's remembered
answer. ``Traces`` says what identifies the person; the functions below find what names
them (a data request lists it) and remove it (an erasure).

A file is read as a table, whatever its format (``imports.reading``), a row at a time:
a compressed workbook holds no text a plain search of its bytes would find.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.http import QueryDict

from backoffice import audit
from backoffice.models import AuditEvent, Export
from house_accounts.models import HouseAccountEntry
from imports.models import CustomerImport
from imports.reading import FileProblem, open_table
from loyalty.models import LoyaltyLedgerEntry
from memberships.models import MembershipAccount, MembershipEntry
from registers.models import IdempotentAnswer

SHORTEST = 3  # letters: a shorter word or search names no one
ERASED = "(erased)"


@dataclass(frozen=True)
class Traces:
    """What identifies a customer, in lower case: ``texts`` found anywhere name them (their
    email, whole name, company name, ID number, phone number); ``words`` (of their name,
    their company's and their email's before the @) name them in part."""

    texts: frozenset
    words: frozenset
    names: frozenset  # their first and last names, found in two cells of a row

    @classmethod
    def of(cls, customer):
        if customer.erased_at is not None:  # "Erased customer #12" names no one
            return cls(texts=frozenset(), words=frozenset(), names=frozenset())
        texts = {customer.email, customer.full_name, customer.company_name, customer.id_number}
        if customer.phone:
            texts |= {customer.phone.as_e164, str(customer.phone.national_number)}
        named = f"{customer.first_name} {customer.last_name} {customer.company_name}"
        words = re.findall(r"\w+", f"{named} {customer.email.partition('@')[0]}".casefold())
        names = {customer.first_name.casefold().strip(), customer.last_name.casefold().strip()}
        return cls(
            texts=frozenset(text.casefold() for text in texts if len(text) > SHORTEST),
            words=frozenset(word for word in words if len(word) >= SHORTEST),
            names=frozenset(names) if all(names) else frozenset(),
        )

    def __bool__(self):
        return bool(self.texts or self.words)

    def in_text(self, text):
        """Whether ``text`` names them, wholly or in part."""
        text = str(text or "").casefold()
        return any(trace in text for trace in self.texts | self.words)

    def in_row(self, cells):
        """Whether a file's row is theirs: a cell naming them wholly, or their first and
        last names in two cells."""
        lowered = [cell.casefold() for cell in cells]
        if any(trace in cell for trace in self.texts for cell in lowered):
            return True
        return bool(self.names) and self.names <= {cell.strip() for cell in lowered}

    def in_search(self, query):
        """Whether a list's query string searched for them: its search (``q``) holds one
        of their texts or words, or is the beginning of one ("quix" found Quixote)."""
        for search in QueryDict(query or "").getlist("q"):
            search = " ".join(search.casefold().split())
            if len(search) < SHORTEST:
                continue
            if self.in_text(search) or any(
                trace.startswith(search) for trace in self.texts | self.words
            ):
                return True
        return False

    def searched(self, *fields):
        """A filter of the rows whose ``fields`` may hold a search for them: each holds
        the first letters of one of their texts or words (``in_search`` tells for sure)."""
        found = Q(pk__in=[])
        for trace in self.texts | self.words:
            for name in fields:
                found |= Q(**{f"{name}__icontains": trace[:SHORTEST]})
        return found


def file_names_them(path, *, name, traces, encoding="utf-8"):
    """Whether the file at ``path`` (uploaded or written as ``name``) has a row of theirs.
    A file that cannot be read as a table cannot be shown not to: it counts as theirs."""
    try:
        return any(traces.in_row(cells) for _, cells in open_table(
            path, name=name, encoding=encoding, max_bytes=None
        ).rows)  # fmt: skip
    except (FileProblem, OSError):
        return True


def exports_naming(traces):
    """(Exports written in the background that name them in their search or their file,
    export events of the audit trail whose search named them)."""
    exports = [
        export
        for export in Export.objects.filter(traces.searched("query") | ~Q(file=""))
        if traces.in_search(export.query)
        or (export.file and file_names_them(export.file.path, name=export.filename, traces=traces))
    ]
    events = [
        event
        for event in AuditEvent.objects.filter(
            traces.searched("summary", "changes"), action=audit.Action.EXPORT
        )
        if traces.in_search(event.changes.get("query", [None, ""])[1])
        or traces.in_text(event.summary)
    ]
    return exports, events


def imports_holding(traces):
    """The imports whose upload (kept until it is written, or for a day) has a row of
    theirs."""
    return [
        customer_import
        for customer_import in CustomerImport.objects.exclude(file="")
        if file_names_them(
            customer_import.file.path, name=customer_import.name, traces=traces,
            encoding=customer_import.encoding,
        )
    ]  # fmt: skip


def import_rows(traces):
    """Their rows in imports, oldest first: read from the upload while it is kept, else
    from what the import's page keeps of them (its first rows to create, update and skip).
    Each says the import, its file, the row's line and the row by column."""
    found = []
    for customer_import in CustomerImport.objects.order_by("pk"):
        rows = upload_rows(customer_import, traces) if customer_import.file else None
        if rows is None:
            rows = [(line, {"name": name, "email": email})
                    for kept in customer_import.samples.values() for line, name, email in kept
                    if traces.in_row([name, email])]  # fmt: skip
        found += [
            {"import_id": customer_import.pk, "file": customer_import.name, "line": line,
             "row": row}
            for line, row in rows
        ]  # fmt: skip
    return found


def upload_rows(customer_import, traces):
    """[(line, {column: cell})] of their rows in the import's upload; None if unreadable."""
    try:
        table = open_table(
            customer_import.file.path, name=customer_import.name,
            encoding=customer_import.encoding, max_bytes=None,
        )  # fmt: skip
        return [(line, dict(zip(table.header, cells, strict=False)))
                for line, cells in table.rows if traces.in_row(cells)]  # fmt: skip
    except (FileProblem, OSError):
        return None


def redact_copies(customer, traces):
    """Remove ``customer``'s data from wherever it was copied (``traces``: what identifies
    them, read before their fields were emptied): what staff wrote on their ledgers'
    entries, and their accounts' descriptions and references that name them; the
    searches that named them, in the audit trail and on exports; the export files and
    the uploaded files of imports that hold them (removed once the erasure commits);
    an import's findings; a register's remembered answer."""
    LoyaltyLedgerEntry.objects.filter(account__customer=customer).exclude(note="").update(note="")
    for entries in (HouseAccountEntry, MembershipEntry):
        entries.objects.filter(account__customer=customer).exclude(note="").update(note="")
    if not traces:
        return
    theirs = Q(customer=customer) | Q(seats__customer=customer)
    for account in MembershipAccount.objects.filter(theirs).exclude(description="").distinct():
        if traces.in_text(account.description):
            MembershipAccount.objects.filter(pk=account.pk).update(description="")
    references = HouseAccountEntry.objects.filter(account__customer=customer).exclude(reference="")
    for entry in references.only("pk", "reference"):
        if traces.in_text(entry.reference):
            HouseAccountEntry.objects.filter(pk=entry.pk).update(reference="")

    exports, events = exports_naming(traces)
    AuditEvent.objects.filter(pk__in=[event.pk for event in events]).update(
        summary="Exported a list (its search was removed at an erasure)", changes={}
    )
    Export.objects.filter(pk__in=[export.pk for export in exports]).update(query="")
    for export in exports:
        if export.file:
            transaction.on_commit(lambda export=export: remove_export_file(export))
    for customer_import in imports_holding(traces):
        transaction.on_commit(customer_import.remove_file)
    redact_import_findings(traces)
    texts = Q(pk__in=[])
    for text in traces.texts:
        texts |= Q(body__icontains=text)
    IdempotentAnswer.objects.filter(texts).delete()


def redact_import_findings(traces):
    """Their rows where imports' findings keep them (the first rows to create, update and
    skip; the errors' values; the file's first rows shown beside its columns) read
    "(erased)"."""
    redacted = []
    for found in CustomerImport.objects.only("pk", "samples", "errors", "examples").iterator():
        examples = [[ERASED] * len(cells) if traces.in_row(cells) else cells
                    for cells in found.examples]  # fmt: skip
        samples = {
            action: [[line, ERASED, ""] if traces.in_row([name, email]) else [line, name, email]
                     for line, name, email in rows]
            for action, rows in found.samples.items()
        }  # fmt: skip
        errors = [[line, column, ERASED if traces.in_row([value]) else value, message]
                  for line, column, value, message in found.errors]  # fmt: skip
        if (samples, errors, examples) != (found.samples, found.errors, found.examples):
            found.samples, found.errors, found.examples = samples, errors, examples
            redacted.append(found)
    CustomerImport.objects.bulk_update(redacted, ["samples", "errors", "examples"])


def remove_export_file(export):
    """The export's file goes; its page says it was removed, as when it expires."""
    export.file.delete(save=False)
    Export.objects.filter(pk=export.pk).update(file="", status=Export.Status.EXPIRED)
