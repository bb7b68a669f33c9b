"""ContentKeyAuthorizationPolicies and Options: CRUD in both JSON formats,
$links/Options, restriction rules (Open, TokenRestricted with a checked
TokenRestrictionTemplate, IPRestricted refused), ContentKeys naming a policy,
a policy in use cannot be deleted, and GetKeyDeliveryUrl."""

import base64
import os

import pytest

from test_api_content_keys import new_key

POL = "ContentKeyAuthorizationPolicies"
OPT = "ContentKeyAuthorizationPolicyOptions"
NS = "http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1"


def template(primary=None, alternates=(), token_type="JWT", issuer="http://issuer/",
             audience="urn:test", extra="", claims=True):
    primary = primary or base64.b64encode(os.urandom(64)).decode()
    alt = "".join('<TokenVerificationKey i:type="SymmetricVerificationKey"><KeyValue>%s</KeyValue>'
                  '</TokenVerificationKey>' % a for a in alternates)
    claim = ('<RequiredClaims><TokenClaim><ClaimType>urn:microsoft:azure:mediaservices:'
             'contentkeyidentifier</ClaimType><ClaimValue i:nil="true" /></TokenClaim>'
             '</RequiredClaims>') if claims else ""
    parts = ['<TokenRestrictionTemplate xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
             'xmlns="%s">' % NS, "<AlternateVerificationKeys>%s</AlternateVerificationKeys>" % alt]
    if audience is not None:
        parts.append("<Audience>%s</Audience>" % audience)
    if issuer is not None:
        parts.append("<Issuer>%s</Issuer>" % issuer)
    if primary != "-":
        parts.append('<PrimaryVerificationKey i:type="SymmetricVerificationKey"><KeyValue>%s'
                     '</KeyValue></PrimaryVerificationKey>' % primary)
    parts.append(claim)
    if token_type is not None:
        parts.append("<TokenType>%s</TokenType>" % token_type)
    parts.append(extra + "</TokenRestrictionTemplate>")
    return "".join(parts)


def option(restriction_type=1, requirements=None, delivery=2, **over):
    if requirements is None and restriction_type == 1:
        requirements = template()
    body = {"Name": "opt", "KeyDeliveryType": delivery, "KeyDeliveryConfiguration": None,
            "Restrictions": [{"Name": "r", "KeyRestrictionType": restriction_type,
                              "Requirements": requirements}]}
    body.update(over)
    return body


def value(r, fmt):
    return r.json["d"] if fmt == "verbose" else r.json


@pytest.mark.parametrize("fmt", ["minimal", "verbose"])
def test_policy_and_options_crud(platform, fmt):
    ams = platform.client(fmt=fmt)
    r = ams.post(POL, {"Name": "pol-" + fmt})
    assert r.status == 201, r
    pid = value(r, fmt)["Id"]
    assert pid.startswith("nb:ckpid:UUID:")
    r = ams.post(OPT, option())
    assert r.status == 201, r
    o = value(r, fmt)
    assert o["Id"].startswith("nb:ckpoid:UUID:") and o["KeyDeliveryType"] == 2
    restrictions = o["Restrictions"]["results"] if fmt == "verbose" else o["Restrictions"]
    assert restrictions[0]["KeyRestrictionType"] == 1
    assert "_Restrictions" not in o
    open_opt = value(ams.post(OPT, option(0, None, delivery=3)), fmt)
    for oid in (o["Id"], open_opt["Id"]):
        r = ams.post(POL + ams.key(pid) + "/$links/Options",
                     {"uri": ams.api + OPT + ams.key(oid)})
        assert r.status == 204, r
    r = ams.get(POL + ams.key(pid) + "/Options")
    rows = r.json["d"]["results"] if fmt == "verbose" else r.json["value"]
    assert sorted(x["Id"] for x in rows) == sorted([o["Id"], open_opt["Id"]])
    assert ams.merge(OPT + ams.key(o["Id"]), {"Name": "renamed"}).status == 204
    assert value(ams.entity(OPT, o["Id"]), fmt)["Name"] == "renamed"
    assert ams.merge(OPT + ams.key(o["Id"]), {"KeyDeliveryType": 9}).status == 400
    assert ams.merge(POL + ams.key(pid), {"Name": "p2"}).status == 204
    assert ams.delete(POL + ams.key(pid) + "/$links/Options" + ams.key(open_opt["Id"])).status == 204
    assert ams.delete(OPT + ams.key(open_opt["Id"])).status == 204
    assert ams.delete(POL + ams.key(pid)).status == 204
    assert ams.entity(POL, pid).status == 404


@pytest.mark.parametrize("body, words", [
    (option(delivery=0), "KeyDeliveryType"),
    (option(delivery=5), "KeyDeliveryType"),
    (option(2, "10.0.0.0/8"), "IPRestricted (2) is not supported"),
    (option(7, "x"), "KeyRestrictionType"),
    (option(0, "<x/>"), "Open restriction has no Requirements"),
    (option(Restrictions=[]), "Restrictions"),
    ({"Name": "x", "KeyDeliveryType": 2}, "Restrictions"),
    (option(1, ""), "XML document"),
    (option(1, "<not xml"), "not well-formed"),
    (option(1, "<TokenRestrictionTemplate/>"), "root must be"),
    (option(1, template(issuer=None)), "Issuer is required"),
    (option(1, template(audience=None)), "Audience is required"),
    (option(1, template(primary="-")), "PrimaryVerificationKey is required"),
    (option(1, template(primary="not base64!")), "KeyValue of PrimaryVerificationKey"),
    (option(1, template(primary=base64.b64encode(b"short").decode())), "KeyValue"),
    (option(1, template(alternates=["@@"])), "alternate verification key"),
    (option(1, template(token_type="SAML")), "TokenType must be SWT or JWT"),
    (option(1, template(extra="<Bogus/>")), "unknown element <Bogus>"),
    (option(1, template(extra="<Issuer>again</Issuer>")), "Issuer is given twice"),
    (option(1, template(extra="<OpenIdConnectDiscoveryDocument><ConfigurationUrl>https://x"
                              "</ConfigurationUrl></OpenIdConnectDiscoveryDocument>")),
     "OpenIdConnectDiscoveryDocument"),
    (option(1, template().replace('i:type="SymmetricVerificationKey"',
                                  'i:type="X509CertTokenVerificationKey"', 1)),
     "unexpected <KeyValue> in PrimaryVerificationKey"),
    (option(1, '<!DOCTYPE x [<!ENTITY a "b">]>' + template()), "DOCTYPE"),
])
def test_option_rules(ams, body, words):
    r = ams.post(OPT, body)
    assert r.status == 400, r
    assert words in r.error_message(), r.error_message()


def test_option_accepts_sdk_forms(ams):
    keys = [base64.b64encode(os.urandom(64)).decode() for _ in range(2)]
    for t in (template(alternates=keys), template(token_type=None, claims=False),
              template(extra='<OpenIdConnectDiscoveryDocument i:nil="true" />')):
        r = ams.post(OPT, option(1, t))
        assert r.status == 201, r
    r = ams.post(OPT, option(0, None, delivery=1, KeyDeliveryConfiguration="<PlayReadyLicenseResponseTemplate/>"))
    assert r.status == 201, r


def test_content_key_policy_rules(ams, tmp_path, platform):
    pol = ams.create(POL, {"Name": "for-keys"})
    body, _ = new_key(ams, tmp_path, key_type=4, AuthorizationPolicyId="nb:ckpid:UUID:" + "0" * 36)
    r = ams.post("ContentKeys", body)
    assert r.status == 400 and "AuthorizationPolicyId" in r.error_message(), r
    body["AuthorizationPolicyId"] = pol["Id"].upper().replace("NB:CKPID:UUID:", "nb:ckpid:UUID:")
    r = ams.post("ContentKeys", body)
    assert r.status == 201, r
    kid = r.json["Id"]
    assert r.json["AuthorizationPolicyId"] == pol["Id"]
    r = ams.delete(POL + ams.key(pol["Id"]))
    assert r.status == 400 and kid in r.error_message(), r
    assert ams.merge("ContentKeys" + ams.key(kid), {"AuthorizationPolicyId": "garbage"}).status == 400
    assert ams.merge("ContentKeys" + ams.key(kid), {"AuthorizationPolicyId": None}).status == 204
    assert ams.delete(POL + ams.key(pol["Id"])).status == 204

    guid = kid.split(":")[-1]
    r = ams.post("ContentKeys" + ams.key(kid) + "/GetKeyDeliveryUrl", {"keyDeliveryType": 2})
    assert r.status == 200, r
    url = r.json["value"]
    assert url.startswith(platform.origin.base) and url.endswith("/keydelivery/?KID=" + guid)
    r = platform.client(fmt="verbose").post("ContentKeys" + ams.key(kid) + "/GetKeyDeliveryUrl",
                                            {"keyDeliveryType": 3})
    assert r.json["d"]["GetKeyDeliveryUrl"].endswith("/keydelivery/Widevine/?KID=" + guid)
    assert ams.post("ContentKeys" + ams.key(kid) + "/GetKeyDeliveryUrl",
                    {"keyDeliveryType": 1}).json["value"].endswith("/keydelivery/PlayReady/")
    for bad in ({}, {"keyDeliveryType": 0}, {"keyDeliveryType": "2"}, {"keyDeliveryType": 5}):
        r = ams.post("ContentKeys" + ams.key(kid) + "/GetKeyDeliveryUrl", bad)
        assert r.status == 400, (bad, r)
