"""The sandbox's KvK register: every company it knows, by KvK number and by branch.

It joins the listed companies of kvk_data.py, the bulk population of kvk_population.py and
the changes the Mutatieservice's signals made (kvk_mutaties.py); the KvK services read it.
"""

from collections.abc import Mapping

from .kvk_data import public_test_companies, synthetic_companies
from .kvk_population import Population, kvk_of_branch


class Register:
    """Every company the sandbox knows, by KvK number, with the changes change signals made.

    ``listed``: the companies searches by name can find (public test numbers and the
    seeded synthetic ones), as generated.  ``changes``: the overlay, KvK number ->
    the company as the Mutatieservice's signals left it (a changed copy of a listed or
    population company, or a new registration); kvk_mutaties.py writes it, ``reset``
    empties it.  ``companies`` reads through both, and finds the companies of the bulk
    population (kvk_population.py) by number too; it iterates over the listed
    companies and the new registrations only.
    """

    def __init__(self, seed):
        self.listed = {c["kvkNummer"]: c for c in [*public_test_companies(seed), *synthetic_companies(seed)]}
        self.population = Population(seed)
        self.changes = {}
        self.companies = _Companies(self)
        self._branches = None

    def change(self, company):
        """Put a changed (or new) company into the overlay; the next profile answers show it."""
        self.changes[company["kvkNummer"]] = company
        self._branches = None

    def reset(self):
        self.changes = {}
        self._branches = None

    def branches(self, company):
        if company["vestigingen_factory"] and not company["vestigingen"]:
            company["vestigingen"] = company["vestigingen_factory"]()
        return company["vestigingen"]

    def branch_index(self):
        """vestigingsnummer -> (company, branch), population branches included."""
        index = self._branches
        if index is None:
            index = {}
            for company in self.companies.values():
                for vestiging in self.branches(company):
                    index[vestiging["vestigingsnummer"]] = (company, vestiging)
            self._branches = index
        return _Branches(self, index)


class _Companies(Mapping):
    def __init__(self, register):
        self._register = register

    def __getitem__(self, kvk):
        register = self._register
        found = register.changes.get(kvk) or register.listed.get(kvk)
        if found is None:
            found = register.population.company(kvk)
        if found is None:
            raise KeyError(kvk)
        return found

    def __iter__(self):
        yield from self._register.listed
        yield from (kvk for kvk in self._register.changes if kvk not in self._register.listed)

    def __len__(self):
        return sum(1 for _kvk in self)


class _Branches(Mapping):
    def __init__(self, register, index):
        self._register, self._index = register, index

    def __getitem__(self, vnr):
        found = self._index.get(vnr)
        if found is not None:
            return found
        kvk = kvk_of_branch(vnr)
        if kvk is not None and kvk not in self._register.changes:
            company = self._register.population.company(kvk)
            item = next((b for b in company["vestigingen"] if b["vestigingsnummer"] == vnr), None)
            if item is not None:
                return company, item
        raise KeyError(vnr)

    def __iter__(self):
        return iter(self._index)

    def __len__(self):
        return len(self._index)
