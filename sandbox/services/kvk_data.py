"""The simulated KvK Handelsregister: KvK's public test companies plus seeded synthetic ones.

A company is a plain dict (see :func:`company`); a branch (vestiging) and an
address likewise.  The public test companies follow KvK's list of test numbers
(developers.kvk.nl, "testing"); where KvK's test environment changes names
between runs, the names here are only the ones seen once, so nothing should
depend on them except the tests of this project.
"""

import random

# The SBI codes the generator draws from (SBI 2025: five digits).
SBI = {
    "01241": "Teelt van appels en peren",
    "10110": "Slachterijen (geen pluimvee)",
    "10120": "Pluimveeslachterijen",
    "10130": "Vleesverwerking",
    "41000": "Algemene burgerlijke en utiliteitsbouw",
    "43221": "Loodgieters- en fitterswerk",
    "46900": "Niet-gespecialiseerde groothandel",
    "47111": "Supermarkten en dergelijke winkels",
    "56101": "Restaurants",
    "62100": "Ontwikkelen en produceren van software",
    "62200": "Advisering en ondersteuning op het gebied van informatietechnologie",
    "69201": "Accountancy",
    "70220": "Organisatie-adviesbureaus",
    "86101": "Universitair medische centra",
    "85310": "Algemeen voortgezet onderwijs",
    "94997": "Overige belangenorganisaties",
}

LEGAL_FORMS = {
    "Eenmanszaak": "Eenmanszaak",
    "BV": ("Besloten Vennootschap", "Besloten vennootschap met gewone structuur"),
    "NV": ("Naamloze Vennootschap", "Naamloze vennootschap met gewone structuur"),
    "Stichting": ("Stichting", "Stichting"),
    "VoF": ("Vennootschap onder firma", "Vennootschap onder firma"),
    "Cooperatie": ("Coöperatie", "Coöperatie met uitgesloten aansprakelijkheid"),
    "VvE": ("Vereniging van Eigenaars", "Vereniging van Eigenaars"),
    "Overig": ("Overige privaatrechtelijke rechtspersoon", "Overige privaatrechtelijke rechtspersoon"),
}

# Error cases of KvK's test list ("Foutmelding"): HTTP status, IPD code, description.
ERROR_CASES = {
    "90004973": (404, "IPD1002", "De gegevens zijn tijdelijk niet beschikbaar."),
    "90002903": (500, "IPD9999", "Er is een algemene technische fout opgetreden."),
}

STREETS = [
    "Kerkstraat",
    "Dorpsstraat",
    "Stationsweg",
    "Molenweg",
    "Marktplein",
    "Industrieweg",
    "Havenkade",
    "Lindelaan",
]
CITIES = [
    ("Amsterdam", "10"),
    ("Rotterdam", "30"),
    ("Utrecht", "35"),
    ("Den Haag", "25"),
    ("Eindhoven", "56"),
    ("Groningen", "97"),
    ("Zwolle", "80"),
    ("Maastricht", "62"),
]
NAME_PARTS = ["Noord", "Zuid", "Oranje", "Polder", "Delta", "Tulp", "Molen", "Dijk", "Haven", "Kaas", "Fiets", "Klomp"]
NAME_KINDS = ["Bouw", "Techniek", "Handel", "Advies", "Installaties", "Software", "Bakkerij", "Transport"]


def address(kind, street, number, postcode, city, letter="", addition="", shielded=False, box="", geo=None):
    return {
        "type": kind,
        "shielded": shielded,
        "straatnaam": street,
        "huisnummer": number,
        "huisletter": letter,
        "toevoeging": addition,
        "postbusnummer": box,
        "postcode": postcode,
        "plaats": city,
        "land": "Nederland",
        "geo": geo,
    }


def foreign_address(kind, street_number, postcode_place, country):
    """An address abroad, as KvK gives it: street and number, postcode and place, country (in Dutch)."""
    return {
        **address(kind, "", "", "", ""),
        "buitenland": True,
        "straatHuisnummer": street_number,
        "postcodeWoonplaats": postcode_place,
        "land": country,
    }


def branch(vnr, name, main, addresses, full=0, part=0, sbi=(), trade_names=(), websites=(), start="", end=None):
    return {
        "vestigingsnummer": vnr,
        "eersteHandelsnaam": name,
        "hoofd": main,
        "commercieel": True,
        "adressen": list(addresses),
        "voltijd": full,
        "deeltijd": part,
        "sbi": list(sbi),
        "handelsnamen": list(trade_names) or [name],
        "websites": list(websites),
        "start": start,
        "einde": end,
    }


def company(kvk, name, form, rsin=None, statutory=None, start="", end=None, trade_names=(), sbi=(), websites=(), **kw):
    short, extended = LEGAL_FORMS[form] if isinstance(LEGAL_FORMS[form], tuple) else (form, form)
    return {
        "kvkNummer": kvk,
        "rsin": rsin,
        "naam": name,
        "statutaireNaam": statutory,
        "rechtsvorm": short,
        "uitgebreideRechtsvorm": extended,
        "registratie": start,
        "aanvang": kw.get("aanvang", start),
        "einde": end,
        "handelsnamen": list(trade_names) or [name],
        "sbi": list(sbi),
        "websites": list(websites),
        "vestigingen": kw.get("vestigingen", []),
        "eigenaar_adressen": kw.get("eigenaar_adressen", []),
        "vestigingen_factory": kw.get("vestigingen_factory"),
    }


def _many_branches(kvk, count):
    """The BV with 1,000 vestigingen: built on first use."""

    def build():
        rng = random.Random(f"branches:{kvk}")
        out = []
        for index in range(count):
            city, prefix = CITIES[index % len(CITIES)]
            vnr = f"99{index:010d}"
            postcode = f"{prefix}{rng.randint(10, 99)}{rng.choice('ABCDEFGHJK')}{rng.choice('ABCDEFGHJK')}"
            out.append(
                branch(
                    vnr,
                    "Test BV Duizendpoot" if index == 0 else f"Test BV Duizendpoot filiaal {index}",
                    index == 0,
                    [address("bezoekadres", rng.choice(STREETS), rng.randint(1, 300), postcode, city)],
                    full=rng.randint(0, 20),
                    part=rng.randint(0, 10),
                    sbi=[("47111", True)],
                    start="20190301",
                )
            )
        return out

    return build


def public_test_companies(seed=0):
    """KvK's public test numbers, as the sandbox answers them.

    KvK's test environment renames some test companies between runs (90001354 was
    seen as "Grand Kontex B.V." and as "Grand Joyflex B.V."); the seed picks one here,
    so that nothing comes to depend on a test company's name.
    """
    shielded_name = random.Random(f"{seed}:kvk:names").choice(["Grand Kontex B.V.", "Grand Joyflex B.V."])
    donald_post = address("correspondentieadres", "", "", "1000AE", "Rommeldam", box="200")
    return [
        company(
            "69599084",
            "Test EMZ Dagobert",
            "Eenmanszaak",
            start="20170710",
            aanvang="20170108",
            trade_names=[
                "Test EMZ Dagobert",
                "Dagobert Vleesverwerking",
                "Dagobert Slachterij",
                "Govert Vlees",
                "Dagobert Pluimvee",
                "Dagobert Worst",
                "Dagobert Ham",
                "Dagobert Spek",
            ],
            sbi=[("10110", True), ("10120", False), ("10130", False)],
            vestigingen=[
                branch(
                    "000038509504",
                    "Test EMZ Dagobert",
                    True,
                    [
                        address(
                            "bezoekadres",
                            "Abebe Bikilalaan",
                            17,
                            "1034WL",
                            "Amsterdam",
                            letter="M",
                            geo=(52.3921, 4.9249),
                        )
                    ],
                    full=1,
                    trade_names=[
                        "Test EMZ Dagobert",
                        "Dagobert Vleesverwerking",
                        "Dagobert Slachterij",
                        "Govert Vlees",
                    ],
                    sbi=[("10110", True), ("10120", False), ("10130", False)],
                    start="20170710",
                ),
                branch(
                    "000038509520",
                    "Test EMZ Nevenvestiging Govert",
                    False,
                    [address("bezoekadres", "Geneinde", 2, "6224HS", "Maastricht")],
                    full=0,
                    part=1,
                    sbi=[("10130", True)],
                    start="20170710",
                ),
            ],
        ),
        company(
            "68750110",
            "Test BV Donald",
            "BV",
            rsin="857587973",
            statutory="Test BV Donald",
            start="20170324",
            aanvang="20170300",
            trade_names=["Test BV Donald", "Donald Fruit"],
            sbi=[("01241", True)],
            websites=["www.testbvdonald.nl"],
            vestigingen=[
                branch(
                    "000037178598",
                    "Test BV Donald",
                    True,
                    [
                        address(
                            "bezoekadres", "Hizzaarderlaan", 3, "8823SJ", "Lollum", letter="A", geo=(53.1637, 5.5235)
                        ),
                        donald_post,
                    ],
                    full=2,
                    part=1,
                    sbi=[("01241", True)],
                    trade_names=["Test BV Donald", "Donald Fruit"],
                    websites=["www.testbvdonald.nl"],
                    start="20170324",
                ),
                branch(
                    "000037178601",
                    "Test BV Donald Nevenvestiging",
                    False,
                    [address("bezoekadres", "Bolterweg", 12, "7431PN", "Diepenveen")],
                    full=1,
                    sbi=[("01241", True)],
                    start="20180101",
                ),
            ],
        ),
        company(
            "68727720",
            "Test NV Katrien",
            "NV",
            rsin="291417772",
            statutory="Test NV Katrien",
            start="20170315",
            sbi=[("46900", True)],
            vestigingen=[
                branch(
                    "000037143557",
                    "Test NV Katrien",
                    True,
                    [address("bezoekadres", "Prinsengracht", 100, "1015EA", "Amsterdam")],
                    full=12,
                    part=4,
                    sbi=[("46900", True)],
                    start="20170315",
                )
            ],
        ),
        company(
            "90000749",
            "Global Conron",
            "VvE",
            rsin="992340597",
            statutory="Vereniging van Eigenaars Global Conron",
            start="20190926",
            sbi=[("94997", True)],
            eigenaar_adressen=[address("bezoekadres", "Blaauwweg", 163, "3328XD", "Dordrecht")],
        ),
        company(
            "90001354",
            shielded_name,
            "BV",
            rsin="992760562",
            statutory=shielded_name,
            start="20200115",
            aanvang="00000000",
            sbi=[("62100", True)],
            vestigingen=[
                branch(
                    "990000541921",
                    shielded_name,
                    True,
                    [
                        address("bezoekadres", "Geheimweg", 1, "5591AA", "Heeze", shielded=True),
                        address("correspondentieadres", "Sterkselseweg", 8, "6029PA", "Sterksel"),
                    ],
                    full=3,
                    sbi=[("62100", True)],
                    start="20200115",
                )
            ],
        ),
        company(
            "90006577",
            "Test BV Duizendpoot",
            "BV",
            rsin="823807071",
            statutory="Test BV Duizendpoot",
            start="20190301",
            sbi=[("47111", True)],
            vestigingen_factory=_many_branches("90006577", 1000),
        ),
        company(
            "69599068",
            "Stichting Test Wolkenveld",
            "Stichting",
            rsin="631706690",
            statutory="Stichting Test Wolkenveld",
            start="20170710",
            sbi=[("85310", True)],
            vestigingen=[
                branch(
                    "990064773193",
                    "Stichting Test Wolkenveld",
                    True,
                    [address("bezoekadres", "Schoolstraat", 5, "3511AA", "Utrecht")],
                    full=30,
                    part=12,
                    sbi=[("85310", True)],
                    start="20170710",
                )
            ],
        ),
        company(
            "69599076",
            "Test VOF Kwik en Kwek",
            "VoF",
            start="20170710",
            sbi=[("56101", True)],
            vestigingen=[
                branch(
                    "000038509474",
                    "Test VOF Kwik en Kwek",
                    True,
                    [address("bezoekadres", "Grote Markt", 9, "9711LV", "Groningen")],
                    full=2,
                    sbi=[("56101", True)],
                    start="20170710",
                )
            ],
        ),
        company(
            "55505201",
            "Grenshandel Europa",
            "Overig",
            rsin="855012456",
            statutory="Grenshandel Europa",
            start="20100401",
            sbi=[("46900", True)],
            vestigingen=[
                branch(
                    "000022334455",
                    "Grenshandel Europa",
                    True,
                    [foreign_address("bezoekadres", "Rue de la Loi 16", "1000 Bruxelles", "België")],
                    full=3,
                    sbi=[("46900", True)],
                    start="20100401",
                )
            ],
        ),
        company(
            "96354429",
            "Coöperatie Test Opgeheven U.A.",
            "Cooperatie",
            rsin="837783537",
            statutory="Coöperatie Test Opgeheven U.A.",
            start="20050101",
            end="20240630",
            sbi=[("70220", True)],
            vestigingen=[
                branch(
                    "990001987781",
                    "Coöperatie Test Opgeheven",
                    True,
                    [address("bezoekadres", "Havenkade", 4, "8011AA", "Zwolle")],
                    sbi=[("70220", True)],
                    start="20050101",
                    end="20240630",
                )
            ],
        ),
    ]


def _rsin(rng):
    """A nine-digit number that passes the Dutch 11-check."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and digits[0]:
            return "".join(map(str, digits)) + str(last)


def synthetic_companies(seed, count=300):
    """Seeded companies for searching by name, place and postcode; KvK numbers 3xxxxxxx."""
    rng = random.Random(f"{seed}:kvk:population")
    out, used = [], set()
    codes = sorted(SBI)
    for _index in range(count):
        kvk = f"3{rng.randint(0, 9999999):07d}"
        while kvk in used:
            kvk = f"3{rng.randint(0, 9999999):07d}"
        used.add(kvk)
        form = rng.choice(["BV", "BV", "Eenmanszaak", "VoF", "Stichting", "NV"])
        base = f"{rng.choice(NAME_PARTS)} {rng.choice(NAME_KINDS)}"
        suffix = {"BV": " B.V.", "NV": " N.V.", "Stichting": "", "VoF": " V.O.F.", "Eenmanszaak": ""}[form]
        name = ("Stichting " if form == "Stichting" else "") + base + suffix
        start = f"{rng.randint(1950, 2024)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        if rng.random() < 0.1:
            start = start[:6] + "00"
        ended = rng.random() < 0.08
        end = f"{rng.randint(int(start[:4]), 2025)}1231" if ended else None
        main_sbi = rng.choice(codes)
        other = [(code, False) for code in rng.sample(codes, rng.randint(0, 2)) if code != main_sbi]
        sbi = [(main_sbi, True), *other]
        rsin = _rsin(rng) if form in ("BV", "NV", "Stichting") else None
        branches = []
        for number in range(1 + (rng.random() < 0.3) + (rng.random() < 0.1)):
            city, prefix = rng.choice(CITIES)
            postcode = (
                f"{prefix}{rng.randint(10, 99)}{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}{rng.choice('ABEHKLMNPRSTX')}"
            )
            addresses = [address("bezoekadres", rng.choice(STREETS), rng.randint(1, 250), postcode, city)]
            if rng.random() < 0.3:
                addresses.append(
                    address("correspondentieadres", "", "", f"{prefix}00AA", city, box=str(rng.randint(1, 9999)))
                )
            branches.append(
                branch(
                    f"{rng.randint(1, 999999999999):012d}",
                    base + suffix if number == 0 else f"{base} {city}",
                    number == 0,
                    addresses,
                    full=rng.randint(0, 50),
                    part=rng.randint(0, 20),
                    sbi=sbi,
                    websites=[f"www.{base.lower().replace(' ', '')}.nl"] if rng.random() < 0.6 else [],
                    start=start,
                    end=end,
                )
            )
        out.append(
            company(
                kvk,
                name,
                form,
                rsin=rsin,
                statutory=name if rsin else None,
                start=start,
                end=end,
                trade_names=[base + suffix],
                sbi=sbi,
                websites=branches[0]["websites"],
                vestigingen=branches,
            )
        )
    return out
