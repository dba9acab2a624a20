"""CreditCheck's simulated world: a seeded, lazily generated population of subjects.

Every subject ``i`` (0 <= i < subjects) has a valid IČO and a few partial rating
records, each with a record ID, a status (2 orange, 3 red), a first day and
perhaps a last day.  On simulation day ``day``:

* the *complete* list holds one line per subject with an active record: the
  highest active status, with the newest record ID among the records of that
  status (a new record of the same colour gives a new ID);
* the *batch* list holds every record started by ``day`` whose ID is above a
  given one (several lines per IČO: the history);
* the *defunct* list of epoch ``epoch`` holds subjects dissolved before the
  epoch's reference date; a few of epoch 0 are revived in epoch 1 and later.
  Defunct subjects are left out of the daily lists, as CreditCheck does.

Record IDs grow with the day a record starts, so "everything above the last ID"
is what changed since.  Nothing is stored: a subject is recomputed from the seed
whenever it is needed, so a million subjects cost no memory.
"""

import random
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

WEIGHTS = (8, 7, 6, 5, 4, 3, 2)
STRIDE = 7919  # coprime to STEMS: subject numbers map one-to-one onto 7-digit stems
STEMS = 9_000_000  # stems 0000000..8999999: no IČO of a legal entity starts with 9
STEM_OFFSET = {"cz": 4711630, "sk": 3163577}  # CZ subject 0 is IČO 47116307 (Sazka a.s.)
DAY_SPAN = 20  # records start between day -DAY_SPAN and +DAY_SPAN
ID_BASE = 5_000_000
ID_PER_DAY = 15_000_000  # room for 4 records of up to 3.75 million subjects per day
BASE_DATE = datetime(2026, 1, 15, 6, 12, 38)


def ico_check_digit(stem):
    """The IČO check digit of a 7-digit stem (weights 8..2, mod 11)."""
    remainder = sum(int(digit) * weight for digit, weight in zip(stem, WEIGHTS, strict=True)) % 11
    return 1 - remainder if remainder <= 1 else 11 - remainder


def ico_is_valid(ico):
    return len(ico) == 8 and ico.isdigit() and ico[0] != "9" and ico_check_digit(ico[:7]) == int(ico[7])


@dataclass(frozen=True)
class Record:
    record_id: int
    status: int
    start: int
    end: int | None  # first day on which the record no longer counts

    def active(self, day):
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class Settings:
    """What the control route may change; the rest follows from the seed."""

    subjects: int = 60
    day: int = 0
    epoch: int = 0
    risk_share: float = 0.5
    defunct_share: float = 0.1
    ic_limit: int = 200
    # How the compressed methods pack their result; CreditCheck only says "zipped, then Base64":
    compression: str = "zip"  # zip (one file), gzip, zlib or deflate (a raw deflate stream)
    shape: str = "document"  # the <creditCheck> document packed, the bare "lines" packed, or a
    # document whose <data> is the packed lines in Base64 ("data")
    line_end: str = "lf"  # or "crlf"
    bom: bool = False  # a byte-order mark in front of the first line
    blank_lines: int = 0  # blank lines mixed into every list
    count_offset: int = 0  # the declared <count> lies by this much
    bad_lines: int = 0  # malformed lines mixed into every list
    payload_fault: str = ""  # truncate, corrupt or not_base64: a broken compressed payload

    def update(self, values):
        for key, value in values.items():
            if key not in self.__dataclass_fields__:
                raise ValueError(f"unknown simulation setting: {key}")
            kind = type(getattr(self, key))
            try:
                value = kind(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{key} must be a {kind.__name__}: {exc}") from exc
            if key == "subjects" and not 0 <= value <= 3_000_000:
                raise ValueError("subjects must be between 0 and 3,000,000")
            if key == "payload_fault" and value not in ("", "truncate", "corrupt", "not_base64"):
                raise ValueError("payload_fault is truncate, corrupt, not_base64 or empty")
            if key == "compression" and value not in ("zip", "gzip", "zlib", "deflate"):
                raise ValueError("compression is zip, gzip, zlib or deflate")
            if key == "shape" and value not in ("document", "lines", "data"):
                raise ValueError("shape is document, lines or data")
            if key == "line_end" and value not in ("lf", "crlf"):
                raise ValueError("line_end is lf or crlf")
            if key in ("risk_share", "defunct_share") and not 0 <= value <= 1:
                raise ValueError(f"{key} is a share between 0 and 1")
            setattr(self, key, value)


class Population:
    def __init__(self, seed, country, settings):
        self.country = country
        self.settings = settings
        self._seed = zlib.crc32(f"{seed}:{country}".encode())
        self._offset = STEM_OFFSET[country]

    # -- identities ------------------------------------------------------------

    def ico(self, index):
        stem = f"{(index * STRIDE + self._offset) % STEMS:07d}"
        return stem + str(ico_check_digit(stem))

    def index_of(self, ico):
        """The subject number of an IČO, or None when the IČO is not one of ours."""
        if not ico_is_valid(ico):
            return None
        index = ((int(ico[:7]) - self._offset) * pow(STRIDE, -1, STEMS)) % STEMS
        return index if index < self.settings.subjects else None

    # -- one subject -------------------------------------------------------------

    def _draw(self, index):
        rng = random.Random(self._seed * 10_000_019 + index)
        risk, defunct = rng.random(), rng.random()
        records = []
        if index == 0 and self.country == "cz":
            # CreditCheck's own worked example: two orange records around a red one;
            # on day 2 a new red record (same colour, new record ID).
            plan = [(-10, 2, None), (-5, 3, None), (1, 2, None), (2, 3, None)]
        elif risk < self.settings.risk_share:
            plan = []
            for _ in range(rng.randint(1, 3)):
                start = rng.randint(-DAY_SPAN, DAY_SPAN)
                end = start + rng.randint(2, 15) if rng.random() < 0.3 else None
                plan.append((start, rng.choice((2, 2, 3)), end))
        else:
            plan = []
        for number, (start, status, end) in enumerate(plan):
            record_id = ID_BASE + (start + DAY_SPAN + 1) * ID_PER_DAY + index * 4 + number
            records.append(Record(record_id, status, start, end))
        return records, defunct

    def is_defunct(self, index, epoch=None):
        epoch = self.settings.epoch if epoch is None else epoch
        share = self.settings.defunct_share
        if share <= 0 or (index == 0 and self.country == "cz"):
            return False
        value = self._draw(index)[1]
        revived_below = share * 0.3 if epoch >= 1 else 0.0
        return revived_below <= value < min(share + 0.02 * epoch, 1.0)

    def records(self, index):
        return self._draw(index)[0]

    def current(self, index, day=None):
        """(record ID, status) of the subject's overall rating on ``day``, or None (green)."""
        day = self.settings.day if day is None else day
        active = [record for record in self.records(index) if record.active(day)]
        if not active:
            return None
        top = max(record.status for record in active)
        return max(record.record_id for record in active if record.status == top), top

    def describe(self, index):
        current = self.current(index)
        return {
            "index": index,
            "ico": self.ico(index),
            "defunct": self.is_defunct(index),
            "record_id": current[0] if current else None,
            "status": current[1] if current else 1,
            "records": [record.__dict__ for record in self.records(index) if record.start <= self.settings.day],
        }

    # -- the lists, as generators of "recordId;IČO;status" lines ----------------------

    def complete_lines(self):
        for index in range(self.settings.subjects):
            current = self.current(index)
            if current and not self.is_defunct(index):
                yield f"{current[0]};{self.ico(index)};{current[1]}"

    def batch_lines(self, after_id):
        day = self.settings.day
        found = []
        for index in range(self.settings.subjects):
            if self.is_defunct(index):
                continue
            for record in self.records(index):
                if record.record_id > after_id and record.start <= day:
                    found.append((record.record_id, index, record.status))
        found.sort()
        for record_id, index, status in found:
            yield f"{record_id};{self.ico(index)};{status}"

    def subject_lines(self, ico):
        index = self.index_of(ico)
        if index is None or self.is_defunct(index):
            return []
        day = self.settings.day
        return [f"{r.record_id};{ico};{r.status}" for r in self.records(index) if r.active(day) and r.status > 1]

    def defunct_lines(self):
        for index in range(self.settings.subjects):
            if self.is_defunct(index):
                yield f"{index + 1};{self.ico(index)};3"

    def bad_lines(self):
        """Malformed lines of every kind the parser must count and skip."""
        kinds = (
            "{id};{ico}",  # field count
            "x{id};{ico};2",  # non-numeric record ID
            "{id};{bad};3",  # failed check digit
            "{id};{ico};7",  # unknown status
            "{id};{ico};red",  # non-numeric status
        )
        for number in range(self.settings.bad_lines):
            ico = self.ico(number)
            bad = ico[:7] + str((int(ico[7]) + 1) % 10)
            yield kinds[number % len(kinds)].format(id=900_000_000 + number, ico=ico, bad=bad)

    def time_text(self):
        moment = BASE_DATE + timedelta(days=self.settings.day)
        return f"{moment.day}.{moment.month}.{moment.year} {moment.hour}:{moment.minute:02d}:{moment.second:02d}"
