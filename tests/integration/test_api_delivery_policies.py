"""AssetDeliveryPolicies: which protocols the origin serves for an asset.
No policy: everything in the clear; with policies only what they allow
(NoDynamicEncryption), Blocked and unlisted protocols answer 403; the
linking rules of AMS (no overlap, no change while published)."""

import pytest

from media import http_get

SMOOTH, DASH, HLS, PROGRESSIVE = 1, 2, 4, 16


@pytest.fixture(scope="module")
def small_asset(platform, abr_set):
    ams = platform.client()
    files = {abr_set.ism.name: abr_set.ism}
    files.update({p.name: p for p in abr_set.files})
    return ams, files, abr_set


def fresh_asset(ams, files, **extra):
    return ams.upload_asset("policy", files, **extra)


def policy(ams, protocols, ptype):
    return ams.create("AssetDeliveryPolicies", {"Name": "p", "AssetDeliveryProtocol": protocols,
                                                "AssetDeliveryPolicyType": ptype})


def link(ams, asset, pol):
    return ams.post("Assets%s/$links/DeliveryPolicies" % ams.key(asset["Id"]),
                    {"uri": ams.api + "AssetDeliveryPolicies" + ams.key(pol["Id"])})


def statuses(loc, abr_set):
    base = loc["Path"] + abr_set.ism.name + "/"
    return {
        "hls": http_get(base + "Manifest(format=m3u8-aapl)").status,
        "dash": http_get(base + "Manifest(format=mpd-time-csf)").status,
        "smooth": http_get(base + "Manifest").status,
        "mp4": http_get(loc["Path"] + abr_set.renditions[0].path.name).status,
    }


def test_no_policy_serves_everything(small_asset):
    ams, files, abr_set = small_asset
    asset = fresh_asset(ams, files)
    loc = ams.publish(asset["Id"])
    assert statuses(loc, abr_set) == {"hls": 200, "dash": 200, "smooth": 200, "mp4": 200}


def test_clear_policy_limits_protocols_and_blocked_is_403(small_asset):
    ams, files, abr_set = small_asset
    asset = fresh_asset(ams, files)
    assert link(ams, asset, policy(ams, HLS | PROGRESSIVE, 2)).status == 204
    assert link(ams, asset, policy(ams, DASH, 1)).status == 204        # Blocked
    loc = ams.publish(asset["Id"])
    assert statuses(loc, abr_set) == {"hls": 200, "dash": 403, "smooth": 403, "mp4": 200}


def test_dynamic_encryption_policy_is_never_served_in_the_clear(small_asset):
    """Without the key a common-encryption policy needs, the asset is not
    published at all (400), never served in the clear; with a key it is
    encrypted (test_cenc_delivery.py)."""
    ams, files, abr_set = small_asset
    asset = fresh_asset(ams, files)
    assert link(ams, asset, policy(ams, DASH | SMOOTH, 4)).status == 204
    r = ams.post("Locators", {"AssetId": asset["Id"], "Type": 2, "AccessPolicyId": ams.create(
        "AccessPolicies", {"Name": "r", "DurationInMinutes": 60, "Permissions": 1})["Id"]})
    assert r.status == 400 and "CommonEncryption (0) ContentKey" in r.error_message()


def test_linking_rules(small_asset):
    ams, files, abr_set = small_asset
    asset = fresh_asset(ams, files)
    p1 = policy(ams, HLS | DASH, 2)
    assert link(ams, asset, p1).status == 204
    r = link(ams, asset, policy(ams, DASH, 1))
    assert r.status == 409 and p1["Id"] in r.error_message()
    loc = ams.publish(asset["Id"])
    r = link(ams, asset, policy(ams, SMOOTH, 2))
    assert r.status == 400 and "origin locator" in r.error_message()
    r = ams.delete("Assets%s/$links/DeliveryPolicies%s" % (ams.key(asset["Id"]), ams.key(p1["Id"])))
    assert r.status == 400
    r = ams.merge("AssetDeliveryPolicies" + ams.key(p1["Id"]), {"AssetDeliveryProtocol": 65535})
    assert r.status == 400
    assert ams.delete("AssetDeliveryPolicies" + ams.key(p1["Id"])).status == 400   # still linked
    # once unpublished, the policy can change
    assert ams.delete("Locators" + ams.key(loc["Id"])).status == 204
    assert ams.merge("AssetDeliveryPolicies" + ams.key(p1["Id"]),
                     {"AssetDeliveryProtocol": HLS}).status == 204


def test_storage_encrypted_asset_needs_a_policy(small_asset):
    ams, files, _ = small_asset
    asset = fresh_asset(ams, files, Options=1)
    pol = ams.create("AccessPolicies", {"Name": "r", "DurationInMinutes": 60, "Permissions": 1})
    r = ams.post("Locators", {"AccessPolicyId": pol["Id"], "AssetId": asset["Id"], "Type": 2})
    assert r.status == 400 and "delivery policy" in r.error_message()


@pytest.mark.parametrize("body, words", [
    ({"AssetDeliveryProtocol": 0, "AssetDeliveryPolicyType": 2}, "AssetDeliveryProtocol"),
    ({"AssetDeliveryProtocol": 64, "AssetDeliveryPolicyType": 2}, "AssetDeliveryProtocol"),
    ({"AssetDeliveryProtocol": 2, "AssetDeliveryPolicyType": 9}, "AssetDeliveryPolicyType"),
    ({"AssetDeliveryProtocol": 2}, "AssetDeliveryPolicyType"),
    ({"AssetDeliveryProtocol": 2, "AssetDeliveryPolicyType": 3,
      "AssetDeliveryConfiguration": "not json"}, "AssetDeliveryConfiguration"),
    ({"AssetDeliveryProtocol": 2, "AssetDeliveryPolicyType": 3,
      "AssetDeliveryConfiguration": '[{"Key":99,"Value":"x"}]'}, "Key"),
])
def test_bad_delivery_policies(ams, body, words):
    r = ams.post("AssetDeliveryPolicies", body)
    assert r.status == 400 and words in r.error_message(), r


def test_delivery_configuration_round_trip(ams):
    cfg = '[{"Key":2,"Value":"https://keys.example/"},{"Key":6,"Value":"0011"}]'
    p = ams.create("AssetDeliveryPolicies", {"Name": "env", "AssetDeliveryProtocol": 4,
                                             "AssetDeliveryPolicyType": 3,
                                             "AssetDeliveryConfiguration": cfg})
    assert p["AssetDeliveryConfiguration"] == cfg
    assert p["Id"].startswith("nb:adpid:UUID:")
