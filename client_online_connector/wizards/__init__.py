from . import client_online_send_wizard
