"""A WSDL for CreditCheckAktualizace, rebuilt from the public facts.

CreditCheck does not publish its WSDL text.  This one follows what its integration
guide documents: an ASMX document/literal SOAP 1.1 service, namespace
``http://creditcheck.<cz|sk>/``, a ``CreditCheckHeader`` with ``Login`` and
``Password``, string results.  The parameter name of the batch methods is not
documented; this WSDL calls it ``id``.
"""

OPERATIONS = {
    # name: [(parameter, xsd type)]
    "GetCreditChecks": [],
    "GetCreditChecksCompressed": [],
    "GetCreditCheckIc": [("ic", "string")],
    "GetCreditChecksBatch": [("id", "long")],
    "GetCreditChecksBatchCompressed": [("id", "long")],
    "GetZanikleSubjektyCompressed": [],
}


def namespace(country):
    return f"http://creditcheck.{country}/"


def build_wsdl(country, location):
    tns = namespace(country)
    elements, messages, port_ops, binding_ops = [], [], [], []
    for name, params in OPERATIONS.items():
        fields = "".join(
            f'<s:element minOccurs="{1 if kind == "long" else 0}" maxOccurs="1" name="{param}" type="s:{kind}"/>'
            for param, kind in params
        )
        elements.append(
            f'<s:element name="{name}"><s:complexType><s:sequence>{fields}</s:sequence></s:complexType></s:element>'
            f'<s:element name="{name}Response"><s:complexType><s:sequence>'
            f'<s:element minOccurs="0" maxOccurs="1" name="{name}Result" type="s:string"/>'
            "</s:sequence></s:complexType></s:element>"
        )
        messages.append(
            f'<wsdl:message name="{name}SoapIn"><wsdl:part name="parameters" element="tns:{name}"/></wsdl:message>'
            f'<wsdl:message name="{name}SoapOut"><wsdl:part name="parameters" element="tns:{name}Response"/>'
            "</wsdl:message>"
            f'<wsdl:message name="{name}CreditCheckHeader">'
            '<wsdl:part name="CreditCheckHeader" element="tns:CreditCheckHeader"/></wsdl:message>'
        )
        port_ops.append(
            f'<wsdl:operation name="{name}"><wsdl:input message="tns:{name}SoapIn"/>'
            f'<wsdl:output message="tns:{name}SoapOut"/></wsdl:operation>'
        )
        binding_ops.append(
            f'<wsdl:operation name="{name}"><soap:operation soapAction="{tns}{name}" style="document"/>'
            f'<wsdl:input><soap:body use="literal"/>'
            f'<soap:header message="tns:{name}CreditCheckHeader" part="CreditCheckHeader" use="literal"/>'
            '</wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" '
        'xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" '
        f'xmlns:tns="{tns}" targetNamespace="{tns}">'
        "<wsdl:documentation>Rebuilt by the local sandbox from CreditCheck's public integration guide; "
        "not CreditCheck's own WSDL. Use the vendor's WSDL in production.</wsdl:documentation>"
        f'<wsdl:types><s:schema elementFormDefault="qualified" targetNamespace="{tns}">'
        + "".join(elements)
        + '<s:element name="CreditCheckHeader" type="tns:CreditCheckHeader"/>'
        '<s:complexType name="CreditCheckHeader"><s:sequence>'
        '<s:element minOccurs="0" maxOccurs="1" name="Login" type="s:string"/>'
        '<s:element minOccurs="0" maxOccurs="1" name="Password" type="s:string"/>'
        "</s:sequence><s:anyAttribute/></s:complexType>"
        "</s:schema></wsdl:types>"
        + "".join(messages)
        + '<wsdl:portType name="CreditCheckAktualizaceSoap">'
        + "".join(port_ops)
        + "</wsdl:portType>"
        '<wsdl:binding name="CreditCheckAktualizaceSoap" type="tns:CreditCheckAktualizaceSoap">'
        '<soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>' + "".join(binding_ops) + "</wsdl:binding>"
        '<wsdl:service name="CreditCheckAktualizace">'
        '<wsdl:port name="CreditCheckAktualizaceSoap" binding="tns:CreditCheckAktualizaceSoap">'
        f'<soap:address location="{location}"/></wsdl:port></wsdl:service>'
        "</wsdl:definitions>"
    )
