"""The simulated services, one module each; a service's routes grow with its addon."""

from .clientonline import ClientOnline
from .creditcheck import CreditCheck
from .ksz import Ksz
from .kvk import Kvk
from .rsz import Rsz

SERVICES = (Kvk, CreditCheck, Ksz, Rsz, ClientOnline)
