"""Token-restricted keys with RS256 JWTs, as AMS allowed them: a
TokenRestrictionTemplate whose PrimaryVerificationKey is an
X509CertTokenVerificationKey (RawBody = the DER certificate, base64) and
whose alternate is an RsaTokenVerificationKey (RawBody = base64 of
{"e","n"}), on an envelope-encrypted asset.  Keys and certificates are made
here (python3-cryptography), never stored.  A good RS256 token gets the key
(header or ?token=, primary or alternate key); a token signed by another
key, tampered, expired or for another key, alg=none, another algorithm, and
algorithm confusion (an HS256 token keyed with the certificate or public
key; an RS256 token for a symmetric-only policy) get 401 and no key.  The
ClearKey license service takes the same tokens for a cenc key.  Bad
certificates are 400 at the API, naming the problem.
"""

import base64
import datetime
import hashlib
import hmac
import json
import time
import urllib.parse
import uuid

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from media import http_get
from test_api_content_keys import new_key
from test_api_key_policies import NS, OPT, POL, option, template
from test_cenc_delivery import license_request, link
from test_envelope_delivery import (KID_CLAIM, SIGNING_KEY, b64url, good_jwt_claims, jwt,
                                    key_uri, media_playlist, protected_asset)


def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def certificate(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mediaplane rs256 test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))


def cert_b64(key):
    return base64.b64encode(certificate(key).public_bytes(serialization.Encoding.DER)).decode()


def rsa_json_b64(key):
    """RsaTokenVerificationKey's RawBody, as the AMS .NET SDK wrote it."""
    nums = key.public_key().public_numbers()
    as_b64 = lambda i: base64.b64encode(i.to_bytes((i.bit_length() + 7) // 8, "big")).decode()
    return base64.b64encode(json.dumps({"e": as_b64(nums.e), "n": as_b64(nums.n)}).encode()).decode()


def rs_template(primary_cert, alternate_rsa=None, token_type="JWT"):
    """A TokenRestrictionTemplate in the AMS SDK's (DataContract) order."""
    alt = ('<TokenVerificationKey i:type="RsaTokenVerificationKey"><RawBody>%s</RawBody>'
           '</TokenVerificationKey>' % alternate_rsa) if alternate_rsa else ""
    return ('<TokenRestrictionTemplate xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns="%s"><AlternateVerificationKeys>%s</AlternateVerificationKeys>'
            '<Audience>urn:test</Audience><Issuer>http://issuer/</Issuer>'
            '<PrimaryVerificationKey i:type="X509CertTokenVerificationKey"><RawBody>%s</RawBody>'
            '</PrimaryVerificationKey><RequiredClaims><TokenClaim><ClaimType>%s</ClaimType>'
            '<ClaimValue i:nil="true" /></TokenClaim></RequiredClaims><TokenType>%s</TokenType>'
            '</TokenRestrictionTemplate>' % (NS, alt, primary_cert, KID_CLAIM, token_type))


def rs256(claims, key, alg="RS256", header=None):
    head = b64url(json.dumps(header or {"alg": alg, "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    sig = key.sign(("%s.%s" % (head, body)).encode(), padding.PKCS1v15(), hashes.SHA256())
    return "%s.%s.%s" % (head, body, b64url(sig))


@pytest.fixture(scope="module")
def keys():
    return {"primary": rsa_key(), "alternate": rsa_key(3072), "other": rsa_key()}


@pytest.fixture(scope="module")
def rs_assets(platform, abr_set, tmp_path_factory, keys):
    ams = platform.client()
    out = {}
    for kind, req in (("RSA", rs_template(cert_b64(keys["primary"]),
                                          rsa_json_b64(keys["alternate"]))),
                      ("HS", template(primary=base64.b64encode(SIGNING_KEY).decode()))):
        asset, kid, key, loc = protected_asset(ams, tmp_path_factory.mktemp(kind), abr_set,
                                               restriction_type=1, requirements=req)
        _, text = media_playlist(loc["Path"] + abr_set.ism.name + "/", "m3u8-aapl")
        out[kind] = (kid.split(":")[-1], key, key_uri(text))
    return out


def fetch(url, token):
    return http_get(url, headers={"Authorization": "Bearer " + token} if token else {})


def test_rs256_token_gets_the_key(rs_assets, keys):
    guid, key, url = rs_assets["RSA"]
    for signer in ("primary", "alternate"):          # X.509 primary, RSA alternate
        r = fetch(url, rs256(good_jwt_claims(guid), keys[signer]))
        assert r.status == 200 and r.body == key, (signer, r.status, r.body)
    t = rs256(good_jwt_claims(guid, aud=["x", "urn:test"]), keys["primary"])
    r = http_get(url + "&token=" + urllib.parse.quote(t, safe=""))
    assert r.status == 200 and r.body == key


def _hs256_with(secret, claims):
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    sig = hmac.new(secret, ("%s.%s" % (head, body)).encode(), hashlib.sha256).digest()
    return "%s.%s.%s" % (head, body, b64url(sig))


@pytest.mark.parametrize("case, words", [
    ("other-key", "signature"),
    ("tampered", "signature"),
    ("expired", "expired"),
    ("other-kid", "requested key"),
    ("alg-none", "algorithm"),
    ("rs512", "algorithm"),
    ("hs256-cert-der", "no symmetric"),
    ("hs256-spki-der", "no symmetric"),
    ("hs256-spki-pem", "no symmetric"),
    ("hs256-cert-b64", "no symmetric"),
])
def test_bad_rs256_tokens_get_401_and_no_key(rs_assets, keys, case, words):
    guid, key, url = rs_assets["RSA"]
    c = good_jwt_claims(guid)
    pub = keys["primary"].public_key()
    cert = certificate(keys["primary"])
    tokens = {
        "other-key": lambda: rs256(c, keys["other"]),
        "expired": lambda: rs256(good_jwt_claims(guid, exp=int(time.time()) - 3600), keys["primary"]),
        "other-kid": lambda: rs256(good_jwt_claims(guid, **{KID_CLAIM: "00000000-0000-0000-0000-000000000001"}),
                                   keys["primary"]),
        "alg-none": lambda: jwt(c, alg="none"),
        "rs512": lambda: rs256(c, keys["primary"], header={"alg": "RS512", "typ": "JWT"}),
        "hs256-cert-der": lambda: _hs256_with(cert.public_bytes(serialization.Encoding.DER), c),
        "hs256-spki-der": lambda: _hs256_with(pub.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo), c),
        "hs256-spki-pem": lambda: _hs256_with(pub.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo), c),
        "hs256-cert-b64": lambda: _hs256_with(cert_b64(keys["primary"]).encode(), c),
    }
    if case == "tampered":
        head, _, sig = rs256(c, keys["primary"]).split(".")
        forged = dict(c, exp=int(time.time()) + 86400 * 365)
        token = "%s.%s.%s" % (head, b64url(json.dumps(forged).encode()), sig)
    else:
        token = tokens[case]()
    r = fetch(url, token)
    assert r.status == 401 and words.encode() in r.body, (r.status, r.body)
    assert key not in r.body and r.headers.get("WWW-Authenticate") == "Bearer"


def test_rs256_token_for_a_symmetric_policy_is_401(rs_assets, keys):
    guid, key, url = rs_assets["HS"]
    r = fetch(url, rs256(good_jwt_claims(guid), keys["primary"]))
    assert r.status == 401 and b"no X.509 or RSA" in r.body and key not in r.body, r.body
    r = fetch(url, jwt(good_jwt_claims(guid)))      # HS256 still works there
    assert r.status == 200 and r.body == key


def test_bad_verification_keys_are_400(ams, keys):
    small = rsa_key(1024)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    cases = [
        (rs_template("AAAAAAAA"), "is not a DER X.509 certificate"),
        (rs_template("not base64!"), "RawBody of PrimaryVerificationKey"),
        (rs_template(cert_b64(small)), "1024 bits"),
        (rs_template(base64.b64encode(certificate(ec_key).public_bytes(
            serialization.Encoding.DER)).decode()), "only RSA keys"),
        (rs_template(cert_b64(keys["primary"]), token_type="SWT"), "need TokenType JWT"),
        (rs_template(cert_b64(keys["primary"]), base64.b64encode(b'{"e":"AQAB"}').decode()),
         "RsaTokenVerificationKey"),
    ]
    for req, words in cases:
        r = ams.post(OPT, option(1, req))
        assert r.status == 400, (words, r)
        assert words in r.error_message(), r.error_message()
    r = ams.post(OPT, option(1, rs_template(cert_b64(keys["primary"]), rsa_json_b64(keys["other"]))))
    assert r.status == 201, r


@pytest.fixture(scope="module")
def clearkey_asset(platform, abr_set, tmp_path_factory, keys):
    """A cenc asset (DASH) whose key's policy has an X.509 JWT option."""
    ams = platform.client()
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    asset = ams.upload_asset("rs256-cenc", files)
    pol = ams.create(POL, {"Name": "rs256"})
    opt = ams.create(OPT, {"Name": "x509", "KeyDeliveryType": 3, "KeyDeliveryConfiguration": None,
                           "Restrictions": [{"Name": "jwt", "KeyRestrictionType": 1,
                                             "Requirements": rs_template(cert_b64(keys["primary"]))}]})
    link(ams, POL, pol["Id"], "Options", OPT, opt["Id"])
    body, key = new_key(ams, tmp_path_factory.mktemp("cenc"), key_type=0)
    body["AuthorizationPolicyId"] = pol["Id"]
    assert ams.post("ContentKeys", body).status == 201
    link(ams, "Assets", asset["Id"], "ContentKeys", "ContentKeys", body["Id"])
    adp = ams.create("AssetDeliveryPolicies", {"Name": "cenc", "AssetDeliveryProtocol": 2,
                                               "AssetDeliveryPolicyType": 4})
    link(ams, "Assets", asset["Id"], "DeliveryPolicies", "AssetDeliveryPolicies", adp["Id"])
    ams.publish(asset["Id"])
    return uuid.UUID(body["Id"].split(":")[-1]), key


def test_clearkey_license_with_rs256(platform, clearkey_asset, keys):
    kid, key = clearkey_asset
    url = platform.origin.base + "/keydelivery/ClearKey/"
    c = good_jwt_claims(str(kid))
    r = http_get(url, method="POST", data=license_request([kid]),
                 headers={"Authorization": "Bearer " + rs256(c, keys["primary"])})
    assert r.status == 200, r.text
    assert json.loads(r.body)["keys"] == [{"kty": "oct", "kid": b64url(kid.bytes), "k": b64url(key)}]
    cert_der = certificate(keys["primary"]).public_bytes(serialization.Encoding.DER)
    for bad in (rs256(c, keys["other"]), _hs256_with(cert_der, c), jwt(c)):
        r = http_get(url, method="POST", data=license_request([kid]),
                     headers={"Authorization": "Bearer " + bad})
        assert r.status == 401 and b64url(key).encode() not in r.body, r.text
