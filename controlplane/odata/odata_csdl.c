/*
 * odata_csdl.c — writes the $metadata document (EDMX 1.0 / CSDL for OData
 * v3, the shape WCF Data Services produced for AMS): one Schema in the AMS
 * namespace with an EntityType per set (key Id, its properties with EDM
 * types, nullability and lengths, its navigations), the complex types the
 * properties name, one Association per navigation, and the EntityContainer
 * MediaContext with the EntitySets, AssociationSets and FunctionImports.
 * libxml2's text writer does the escaping.
 */
#include "odata/odata_csdl.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_EDMX "http://schemas.microsoft.com/ado/2007/06/edmx"
#define NS_META "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
#define NS_EDM  "http://schemas.microsoft.com/ado/2009/11/edm"
#define CSDL_NAME_MAX 256

typedef xmlTextWriterPtr writer_t;

static const char *short_name(const char *type_name)
{
    const char *dot = strrchr(type_name, '.');
    return dot != NULL ? dot + 1 : type_name;
}

static const entity_set_t *find_set(const entity_set_t *const *sets, const char *name)
{
    for (size_t i = 0; sets[i] != NULL; i++) {
        if (strcmp(sets[i]->name, name) == 0) {
            return sets[i];
        }
    }
    return NULL;
}

/* A complex or element type as a qualified name ("Edm.String" stays). */
static void qualified(const char *name, char *out, size_t cap)
{
    if (strchr(name, '.') != NULL) {
        snprintf(out, cap, "%s", name);
    } else {
        snprintf(out, cap, "%s.%s", CSDL_NAMESPACE, name);
    }
}

static void complex_type_of(const entity_prop_t *p, const entity_set_t *set, char *out, size_t cap)
{
    if (p->type_name != NULL) {
        qualified(p->type_name, out, cap);
    } else {
        snprintf(out, cap, "%s.%s%s", CSDL_NAMESPACE, short_name(set->type_name), p->name);
    }
}

void odata_csdl_prop_type(const entity_prop_t *p, const entity_set_t *set, char *out, size_t cap)
{
    char elem[CSDL_NAME_MAX];

    switch (p->type) {
    case EDM_INT32:    snprintf(out, cap, "Edm.Int32"); break;
    case EDM_INT64:    snprintf(out, cap, "Edm.Int64"); break;
    case EDM_DOUBLE:   snprintf(out, cap, "Edm.Double"); break;
    case EDM_BOOL:     snprintf(out, cap, "Edm.Boolean"); break;
    case EDM_DATETIME: snprintf(out, cap, "Edm.DateTime"); break;
    case EDM_COMPLEX:  complex_type_of(p, set, out, cap); break;
    case EDM_COLLECTION:
        qualified(p->type_name != NULL ? p->type_name : "Edm.String", elem, sizeof(elem));
        snprintf(out, cap, "Collection(%s)", elem);
        break;
    case EDM_STRING:
    default:           snprintf(out, cap, "Edm.String"); break;
    }
}

/* ------------------------------------------------------------ entity types */

static bool nullable(const entity_set_t *set, const entity_prop_t *p)
{
    if (strcmp(p->name, set->key_name ? set->key_name : "Id") == 0 || p->type == EDM_COLLECTION) {
        return false;
    }
    if (p->flags & P_NULLABLE) {
        return true;
    }
    if (p->type == EDM_STRING || p->type == EDM_COMPLEX) {
        return !(p->flags & P_REQUIRED);
    }
    return false;
}

static void write_property(writer_t w, const entity_set_t *set, const entity_prop_t *p)
{
    char type[CSDL_NAME_MAX];

    odata_csdl_prop_type(p, set, type, sizeof(type));
    xmlTextWriterStartElement(w, BAD_CAST "Property");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST p->name);
    xmlTextWriterWriteAttribute(w, BAD_CAST "Type", BAD_CAST type);
    if (!nullable(set, p)) {
        xmlTextWriterWriteAttribute(w, BAD_CAST "Nullable", BAD_CAST "false");
    }
    if (p->type == EDM_STRING && p->max_len > 0) {
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "MaxLength", "%d", p->max_len);
    }
    xmlTextWriterEndElement(w);
}

static void association_name(const entity_set_t *set, const entity_nav_t *n, char *out, size_t cap)
{
    snprintf(out, cap, "%s_%s", short_name(set->type_name), n->name);
}

static void role_names(const entity_set_t *set, const entity_set_t *target, const entity_nav_t *n,
                       char *from, char *to, size_t cap)
{
    snprintf(from, cap, "%s_%s_Source", short_name(set->type_name), n->name);
    snprintf(to, cap, "%s_%s_Target", short_name(target->type_name), n->name);
}

static void write_navigation(writer_t w, const entity_set_t *set, const entity_set_t *target,
                             const entity_nav_t *n)
{
    char assoc[CSDL_NAME_MAX], from[CSDL_NAME_MAX], to[CSDL_NAME_MAX];

    association_name(set, n, assoc, sizeof(assoc));
    role_names(set, target, n, from, to, sizeof(from));
    xmlTextWriterStartElement(w, BAD_CAST "NavigationProperty");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST n->name);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "Relationship", "%s.%s", CSDL_NAMESPACE, assoc);
    xmlTextWriterWriteAttribute(w, BAD_CAST "FromRole", BAD_CAST from);
    xmlTextWriterWriteAttribute(w, BAD_CAST "ToRole", BAD_CAST to);
    xmlTextWriterEndElement(w);
}

static void write_entity_type(writer_t w, const entity_set_t *const *sets, const entity_set_t *set)
{
    xmlTextWriterStartElement(w, BAD_CAST "EntityType");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST short_name(set->type_name));
    xmlTextWriterStartElement(w, BAD_CAST "Key");
    xmlTextWriterStartElement(w, BAD_CAST "PropertyRef");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST (set->key_name ? set->key_name : "Id"));
    xmlTextWriterEndElement(w);
    xmlTextWriterEndElement(w);
    for (const entity_prop_t *p = set->props; p->name != NULL; p++) {
        write_property(w, set, p);
    }
    for (const entity_nav_t *n = set->navs; n != NULL && n->name != NULL; n++) {
        const entity_set_t *target = find_set(sets, n->target);
        if (target != NULL) {
            write_navigation(w, set, target, n);
        }
    }
    xmlTextWriterEndElement(w);
}

/* Complex types named by properties, each declared once (without members:
 * the descriptors do not describe them; OData clients read them as open). */
static void write_complex_types(writer_t w, const entity_set_t *const *sets)
{
    json_t *seen = json_object();
    char type[CSDL_NAME_MAX];
    const size_t ns_len = strlen(CSDL_NAMESPACE);

    for (size_t i = 0; sets[i] != NULL; i++) {
        for (const entity_prop_t *p = sets[i]->props; p->name != NULL; p++) {
            if (p->type == EDM_COMPLEX) {
                complex_type_of(p, sets[i], type, sizeof(type));
            } else if (p->type == EDM_COLLECTION && p->type_name != NULL) {
                qualified(p->type_name, type, sizeof(type));
            } else {
                continue;
            }
            if (strncmp(type, CSDL_NAMESPACE ".", ns_len + 1) != 0
                || json_object_get(seen, type) != NULL) {
                continue;
            }
            json_object_set_new(seen, type, json_true());
            xmlTextWriterStartElement(w, BAD_CAST "ComplexType");
            xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST (type + ns_len + 1));
            xmlTextWriterEndElement(w);
        }
    }
    json_decref(seen);
}

/* ------------------------------------------------------------ associations */

static const char *multiplicity(nav_kind_t kind, bool source)
{
    switch (kind) {
    case NAV_CHILDREN:  return source ? "0..1" : "*";
    case NAV_REFERENCE: return source ? "*" : "0..1";
    case NAV_LINKS:
    default:            return "*";
    }
}

static void write_end(writer_t w, const char *type, const char *role, const char *mult)
{
    xmlTextWriterStartElement(w, BAD_CAST "End");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Type", BAD_CAST type);
    xmlTextWriterWriteAttribute(w, BAD_CAST "Role", BAD_CAST role);
    xmlTextWriterWriteAttribute(w, BAD_CAST "Multiplicity", BAD_CAST mult);
    xmlTextWriterEndElement(w);
}

static void write_set_end(writer_t w, const char *role, const char *set_name)
{
    xmlTextWriterStartElement(w, BAD_CAST "End");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Role", BAD_CAST role);
    xmlTextWriterWriteAttribute(w, BAD_CAST "EntitySet", BAD_CAST set_name);
    xmlTextWriterEndElement(w);
}

/* as_set: the container's AssociationSet, else the schema's Association. */
static void write_associations(writer_t w, const entity_set_t *const *sets, bool as_set)
{
    char assoc[CSDL_NAME_MAX], from[CSDL_NAME_MAX], to[CSDL_NAME_MAX];

    for (size_t i = 0; sets[i] != NULL; i++) {
        for (const entity_nav_t *n = sets[i]->navs; n != NULL && n->name != NULL; n++) {
            const entity_set_t *target = find_set(sets, n->target);
            if (target == NULL) {
                continue;
            }
            association_name(sets[i], n, assoc, sizeof(assoc));
            role_names(sets[i], target, n, from, to, sizeof(from));
            xmlTextWriterStartElement(w, BAD_CAST (as_set ? "AssociationSet" : "Association"));
            xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST assoc);
            if (as_set) {
                xmlTextWriterWriteFormatAttribute(w, BAD_CAST "Association", "%s.%s",
                                                  CSDL_NAMESPACE, assoc);
                write_set_end(w, from, sets[i]->name);
                write_set_end(w, to, target->name);
            } else {
                write_end(w, sets[i]->type_name, from, multiplicity(n->kind, true));
                write_end(w, target->type_name, to, multiplicity(n->kind, false));
            }
            xmlTextWriterEndElement(w);
        }
    }
}

/* ------------------------------------------------------------ container */

static void write_parameter(writer_t w, const char *name, const char *type)
{
    xmlTextWriterStartElement(w, BAD_CAST "Parameter");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST name);
    xmlTextWriterWriteAttribute(w, BAD_CAST "Type", BAD_CAST type);
    xmlTextWriterWriteAttribute(w, BAD_CAST "Mode", BAD_CAST "In");
    xmlTextWriterEndElement(w);
}

static void write_function(writer_t w, const entity_set_t *const *sets, const csdl_function_t *f)
{
    const entity_set_t *bound = f->binding_set ? find_set(sets, f->binding_set) : NULL;
    char param[CSDL_NAME_MAX];

    xmlTextWriterStartElement(w, BAD_CAST "FunctionImport");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST f->name);
    if (f->return_type != NULL) {
        xmlTextWriterWriteAttribute(w, BAD_CAST "ReturnType", BAD_CAST f->return_type);
    }
    if (bound != NULL) {
        xmlTextWriterWriteAttribute(w, BAD_CAST "IsBindable", BAD_CAST "true");
        xmlTextWriterWriteAttribute(w, BAD_CAST "IsSideEffecting", BAD_CAST "true");
        xmlTextWriterWriteAttributeNS(w, BAD_CAST "m", BAD_CAST "IsAlwaysBindable", NULL,
                                      BAD_CAST "true");
        snprintf(param, sizeof(param), "%s", short_name(bound->type_name));
        param[0] = (char) (param[0] >= 'A' && param[0] <= 'Z' ? param[0] + 32 : param[0]);
        write_parameter(w, param, bound->type_name);
    } else {
        xmlTextWriterWriteAttributeNS(w, BAD_CAST "m", BAD_CAST "HttpMethod", NULL,
                                      BAD_CAST f->http_method);
    }
    for (size_t i = 0; i < CSDL_MAX_PARAMS && f->params[i].name != NULL; i++) {
        write_parameter(w, f->params[i].name, f->params[i].type);
    }
    xmlTextWriterEndElement(w);
}

static void write_container(writer_t w, const entity_set_t *const *sets,
                            const csdl_function_t *functions, size_t nfunctions)
{
    xmlTextWriterStartElement(w, BAD_CAST "EntityContainer");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST CSDL_CONTAINER);
    xmlTextWriterWriteAttributeNS(w, BAD_CAST "m", BAD_CAST "IsDefaultEntityContainer", NULL,
                                  BAD_CAST "true");
    for (size_t i = 0; sets[i] != NULL; i++) {
        xmlTextWriterStartElement(w, BAD_CAST "EntitySet");
        xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST sets[i]->name);
        xmlTextWriterWriteAttribute(w, BAD_CAST "EntityType", BAD_CAST sets[i]->type_name);
        xmlTextWriterEndElement(w);
    }
    write_associations(w, sets, true);
    for (size_t i = 0; i < nfunctions; i++) {
        write_function(w, sets, &functions[i]);
    }
    xmlTextWriterEndElement(w);
}

static void write_document(writer_t w, const entity_set_t *const *sets,
                           const csdl_function_t *functions, size_t nfunctions)
{
    xmlTextWriterStartDocument(w, "1.0", "utf-8", "yes");
    xmlTextWriterStartElementNS(w, BAD_CAST "edmx", BAD_CAST "Edmx", BAD_CAST NS_EDMX);
    xmlTextWriterWriteAttribute(w, BAD_CAST "Version", BAD_CAST "1.0");
    xmlTextWriterStartElementNS(w, BAD_CAST "edmx", BAD_CAST "DataServices", NULL);
    xmlTextWriterWriteAttributeNS(w, BAD_CAST "xmlns", BAD_CAST "m", NULL, BAD_CAST NS_META);
    xmlTextWriterWriteAttributeNS(w, BAD_CAST "m", BAD_CAST "DataServiceVersion", NULL,
                                  BAD_CAST "3.0");
    xmlTextWriterWriteAttributeNS(w, BAD_CAST "m", BAD_CAST "MaxDataServiceVersion", NULL,
                                  BAD_CAST "3.0");
    xmlTextWriterStartElement(w, BAD_CAST "Schema");
    xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST NS_EDM);
    xmlTextWriterWriteAttribute(w, BAD_CAST "Namespace", BAD_CAST CSDL_NAMESPACE);
    for (size_t i = 0; sets[i] != NULL; i++) {
        write_entity_type(w, sets, sets[i]);
    }
    write_complex_types(w, sets);
    write_associations(w, sets, false);
    write_container(w, sets, functions, nfunctions);
    xmlTextWriterEndDocument(w);    /* closes every open element */
}

char *odata_csdl_generate(const entity_set_t *const *sets, const csdl_function_t *functions,
                          size_t nfunctions, size_t *len)
{
    xmlBufferPtr buf = xmlBufferCreate();
    writer_t w = buf != NULL ? xmlNewTextWriterMemory(buf, 0) : NULL;
    char *out = NULL;

    if (w == NULL) {
        xmlBufferFree(buf);
        return NULL;
    }
    xmlTextWriterSetIndent(w, 1);
    write_document(w, sets, functions, nfunctions);
    xmlFreeTextWriter(w);          /* flushes into buf */
    out = malloc((size_t) xmlBufferLength(buf) + 1);
    if (out != NULL) {
        *len = (size_t) xmlBufferLength(buf);
        memcpy(out, xmlBufferContent(buf), *len);
        out[*len] = '\0';
    }
    xmlBufferFree(buf);
    return out;
}
