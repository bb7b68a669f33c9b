"""mediaplaned: GET /api/$metadata — the CSDL (EDMX 1.0, OData v3) generated
from the entity descriptors, read with an XML parser like a WCF Data Services
client would: every entity set of the service document is there with its key,
properties and navigations."""

import subprocess
import xml.etree.ElementTree as ET

EDMX = "{http://schemas.microsoft.com/ado/2007/06/edmx}"
EDM = "{http://schemas.microsoft.com/ado/2009/11/edm}"
META = "{http://schemas.microsoft.com/ado/2007/08/dataservices/metadata}"
NS = "Microsoft.Cloud.Media.Vod.Rest.Data.Models"


def fetch_metadata(ams):
    r = ams.get("$metadata", headers={"Accept": "application/xml"})
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("application/xml")
    return r.body


def test_metadata_is_well_formed_edmx(ams, tmp_path):
    body = fetch_metadata(ams)
    doc = tmp_path / "metadata.xml"
    doc.write_bytes(body)
    subprocess.run(["xmllint", "--noout", str(doc)], check=True)
    root = ET.fromstring(body)
    assert root.tag == EDMX + "Edmx" and root.get("Version") == "1.0"
    ds = root.find(EDMX + "DataServices")
    assert ds.get(META + "DataServiceVersion") == "3.0"
    schemas = ds.findall(EDM + "Schema")
    assert [s.get("Namespace") for s in schemas] == [NS]
    containers = schemas[0].findall(EDM + "EntityContainer")
    assert len(containers) == 1
    assert containers[0].get("Name") == "MediaContext"
    assert containers[0].get(META + "IsDefaultEntityContainer") == "true"


def test_every_entity_set_appears_with_key_and_properties(ams):
    schema = ET.fromstring(fetch_metadata(ams)).find(EDMX + "DataServices").find(EDM + "Schema")
    container = schema.find(EDM + "EntityContainer")
    types = {t.get("Name"): t for t in schema.findall(EDM + "EntityType")}
    sets = {s.get("Name"): s.get("EntityType") for s in container.findall(EDM + "EntitySet")}
    served = [s["name"] for s in ams.get("").json["value"]]
    assert served and sorted(served) == sorted(sets)
    for name in served:
        type_name = sets[name]
        assert type_name.startswith(NS + ".")
        etype = types[type_name[len(NS) + 1:]]
        key = {"EncodingReservedUnitTypes": "AccountId",          # AMS keyed them so
               "StorageAccounts": "Name", "Filters": "Name"}.get(name, "Id")
        assert [r.get("Name") for r in etype.find(EDM + "Key")] == [key]
        props = {p.get("Name"): p for p in etype.findall(EDM + "Property")}
        assert props[key].get("Type") == "Edm.String" and props[key].get("Nullable") == "false"
        # a created or listed entity carries exactly the declared properties
        rows = ams.get(name + "?$top=1", fmt="none").json["value"]
        if rows:
            assert set(rows[0]) == set(props), name
    asset = {p.get("Name"): p for p in types["Asset"].findall(EDM + "Property")}
    assert asset["Options"].get("Type") == "Edm.Int32"
    assert asset["Created"].get("Type") == "Edm.DateTime"
    assert asset["Name"].get("MaxLength") == "512"
    files = {p.get("Name"): p.get("Type") for p in types["AssetFile"].findall(EDM + "Property")}
    assert files["ContentFileSize"] == "Edm.Int64" and files["IsPrimary"] == "Edm.Boolean"


def test_navigations_have_associations_and_sets(ams):
    schema = ET.fromstring(fetch_metadata(ams)).find(EDMX + "DataServices").find(EDM + "Schema")
    container = schema.find(EDM + "EntityContainer")
    assocs = {a.get("Name"): a for a in schema.findall(EDM + "Association")}
    assoc_sets = {a.get("Name"): a for a in container.findall(EDM + "AssociationSet")}
    asset = [t for t in schema.findall(EDM + "EntityType") if t.get("Name") == "Asset"][0]
    navs = {n.get("Name"): n for n in asset.findall(EDM + "NavigationProperty")}
    assert {"Locators", "ContentKeys", "Files", "ParentAssets"} <= set(navs)
    for nav in navs.values():
        rel = nav.get("Relationship")
        assert rel.startswith(NS + ".")
        assoc = assocs[rel[len(NS) + 1:]]
        roles = {e.get("Role") for e in assoc.findall(EDM + "End")}
        assert {nav.get("FromRole"), nav.get("ToRole")} == roles
        aset = assoc_sets[assoc.get("Name")]
        assert {e.get("Role") for e in aset.findall(EDM + "End")} == roles
    files_assoc = assocs[navs["Files"].get("Relationship")[len(NS) + 1:]]
    ends = {e.get("Type"): e.get("Multiplicity") for e in files_assoc.findall(EDM + "End")}
    assert ends == {NS + ".Asset": "0..1", NS + ".AssetFile": "*"}


def test_function_imports_for_served_functions(ams):
    schema = ET.fromstring(fetch_metadata(ams)).find(EDMX + "DataServices").find(EDM + "Schema")
    fns = {f.get("Name"): f for f in schema.find(EDM + "EntityContainer").findall(EDM + "FunctionImport")}
    assert {"CreateFileInfos", "GetProtectionKeyId", "GetProtectionKey"} <= set(fns)
    key_id = fns["GetProtectionKeyId"]
    assert key_id.get("ReturnType") == "Edm.String" and key_id.get(META + "HttpMethod") == "GET"
    params = [(p.get("Name"), p.get("Type")) for p in key_id.findall(EDM + "Parameter")]
    assert params == [("contentKeyType", "Edm.Int32")]


def test_metadata_needs_a_token_and_is_read_only(ams):
    assert ams.get("$metadata", token=False).status == 401
    r = ams.post("$metadata", {})
    assert r.status == 405 and r.json["odata.error"]["code"] == "MethodNotAllowed"
