"""KSZ/BCSS (BE): RSZ/ONSS EmployerAccountBalance and billRetainment under ``/ksz/``."""

from .soap import SoapService


class Ksz(SoapService):
    name = "ksz"
    title = "KSZ/BCSS EmployerAccountBalance and RSZ billRetainment"
