"""The mapper beyond people: where a field lies, deprecated and read-only parents, entity vocabulary, and the
conversions a pair needs (money units, dates, currency case, state -> boolean)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.mapping.test_propose import DT, INT, UNIX, B, S, by_dest, obj, spec
from vitesse.ingest import ingest_spec
from vitesse.ingest.models import Endpoint
from vitesse.manifest.models import MappingConfig
from vitesse.mapping.compile import compile_mapping
from vitesse.mapping.context import Placement, container_fit, record_words, resource_words, singular, wrapper_prefix
from vitesse.mapping.fields import Field, flatten
from vitesse.mapping.money import exponent, major_to_minor, minor_to_major, to_date
from vitesse.mapping.propose import propose_mapping
from vitesse.mapping.types import compatibility


def propose_between(source: dict, dest: dict, *, source_path: str = "/issues", dest_path: str = "/tasks", **kw):
    src = Endpoint(path=source_path, method="GET", response_schema=source, record_path="[]")
    dst = Endpoint(path=dest_path, method="POST", request_schema=dest)
    return propose_mapping(spec(src), src, spec(dst), dst, MappingConfig(), **kw)


def test_children_of_read_only_and_deprecated_parents_inherit_it() -> None:
    schema = obj(
        created_by={"type": "object", "readOnly": True, "properties": {"gid": S}},
        old={"type": "object", "deprecated": True, "properties": {"x": S}},
        note={"type": "string", "description": "The note.\n\nDeprecated at 2022-07-20, use `notes`."},
        fine={"type": "string", "description": "Replaces the deprecated `old` field.", "example": "hi"},
    )
    schema["properties"]["status"] = {
        "type": "object",
        "description": "Most recently observed status. Populated by the system. Read-only.",
        "properties": {"phase": S},
    }
    schema["properties"]["kind"] = {"type": "string", "description": "Read-only after creation."}
    fields = {f.path: f for f in flatten(schema, {})}
    assert fields["created_by.gid"].read_only
    assert fields["status.phase"].read_only and not fields["kind"].read_only  # said in prose
    assert fields["old.x"].deprecated and fields["note"].deprecated
    assert not fields["fine"].deprecated and fields["fine"].examples == ("hi",)


def test_placement_wrappers_record_self_and_references() -> None:
    dests = [
        Field("Items[].Name"),
        Field("Items[].Code"),
        Field("Items[].SalesDetails.UnitPrice"),
        Field("Items[].Contact.ContactID"),
        Field("Items[].Contact.Name"),
    ]
    assert wrapper_prefix(dests) == "Items[]."
    place = Placement(dests, record_words(["Create Xero items from Square catalog items"]), request=True)
    assert place.containers(dests[0]) == []
    assert place.containers(dests[2]) == [frozenset({"sale", "detail"})] or place.containers(dests[2])
    assert place.in_reference(dests[4]) and not place.in_reference(dests[3])
    assert place.own_id(dests[3])
    source = Placement([Field("item_data.name"), Field("id")], record_words(["catalog items"]))
    assert source.containers(Field("item_data.name")) == []  # named after the record itself
    assert singular("categories") == "category" and singular("addresses") == "address"


def test_container_fit_costs_more_per_unshared_level() -> None:
    deep = [frozenset({"last", "finalization", "error"}), frozenset({"source"}), frozenset({"klarna"})]
    assert container_fit([], []) == 1.0
    assert container_fit([frozenset({"address"})], [frozenset({"address"})]) == 1.0
    assert container_fit([frozenset({"address"})], []) > 0.95
    assert container_fit(deep, []) < 0.75


def test_money_units_follow_the_currency_exponent() -> None:
    assert minor_to_major(1999, "usd") == 19.99
    assert minor_to_major(500, "JPY") == 500
    assert minor_to_major(1234, "KWD") == 1.234
    assert major_to_minor(19.99, "EUR") == 1999 and major_to_minor(0.005, None) == 1
    assert exponent(None) == 2 and minor_to_major(None) is None
    assert to_date(1_700_000_000) == "2023-11-14" and to_date("2024-03-01T23:00:00Z") == "2024-03-01"
    with pytest.raises(ValueError):
        to_date("yesterday")


def test_entity_names_conversions_and_flags_are_proposed() -> None:
    issue = obj(
        id=INT,
        title=S,
        body=S,
        comments_url={"type": "string", "format": "uri"},
        state={"type": "string", "description": "State of the issue; either 'open' or 'closed'", "example": "open"},
        created_at=DT,
        price=obj(amount={**INT, "description": "in the smallest currency unit"}, currency=S),
    )
    task = obj(
        name=S,
        notes=S,
        completed=B,
        start_on={"type": "string", "format": "date"},
        external=obj(gid=S),
        unit_price={"type": "number"},
    )
    logic = propose_between(issue, task, intent="Create tasks from issues")
    got = by_dest(logic)
    assert got["name"].source_field == "title"
    assert got["notes"].source_field == "body"  # not comments_url: a link is not a note
    assert got["external.gid"].source_field == "id"
    assert got["completed"].template == "state == 'closed'"
    assert got["unit_price"].template == "price.amount | minor_to_major(price.currency)"
    out = compile_mapping(logic)(
        {"id": 7, "title": "Bug", "body": "b", "state": "closed", "price": {"amount": 250, "currency": "jpy"}}
    )
    assert out.record["completed"] is True and out.record["unit_price"] == 250
    dated = propose_between(obj(created=UNIX), obj(start_on={"type": "string", "format": "date"}))
    assert not dated.transformations or dated.transformations[0].template in (None, "created | to_date")


def test_person_records_keep_name_and_title_apart() -> None:
    person = obj(name=S, title=S)
    contact = obj(full_name=S, job_title=S)
    got = by_dest(
        propose_between(person, contact, source_path="/users", dest_path="/contacts", intent="users to contacts")
    )
    assert got["full_name"].source_field == "name" and got["job_title"].source_field == "title"


@pytest.mark.slow
def test_github_issues_to_asana_tasks_on_the_real_specs(specs_dir: Path) -> None:
    github = ingest_spec(str(specs_dir / "github-rest" / "api.github.com-2020-09.json"))
    asana = ingest_spec(str(specs_dir / "asana" / "asana_oas.yaml"))
    source, dest = github.endpoint("GET /repos/{owner}/{repo}/issues"), asana.endpoint("POST /tasks")
    intent = "Create Asana tasks from GitHub issues"
    logic = propose_mapping(github, source, asana, dest, MappingConfig(), intent=intent)
    got = by_dest(logic)
    assert got["data.name"].sources == ["title"] and got["data.notes"].sources == ["body"]
    completed = got["data.completed"]  # this schema's state only has the example 'open'
    assert completed.sources == ["state"] and completed.template == "state is not none and state not in ['open']"
    assert all(t.sources != ["comments_url"] for t in logic.transformations)
    assert all(not t.dest_field.startswith("data.created_by.") for t in logic.transformations)  # read-only parent


def test_enum_values_are_translated_and_the_rest_become_null() -> None:
    invoice = obj(status={"type": "string", "enum": ["draft", "open", "paid", "void", "uncollectible"]})
    xero = obj(Status={"type": "string", "enum": ["DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED"]})
    logic = propose_between(invoice, xero, source_path="/invoices", dest_path="/Invoices", intent="invoices")
    status = by_dest(logic)["Status"]
    assert status.template == "status | translate({'draft': 'DRAFT', 'paid': 'PAID', 'void': 'VOIDED'})"
    assert "no counterpart for open, uncollectible" in status.reason
    run = compile_mapping(logic)
    assert run({"status": "void"}).record == {"Status": "VOIDED"}
    assert run({"status": "open"}).record.get("Status") is None


def test_boolean_flags_from_their_opposites() -> None:
    item = obj(is_archived=B, sellable=B)
    product = obj(active=B, IsSold=B)
    got = by_dest(propose_between(item, product, source_path="/items", dest_path="/products", intent="items"))
    assert got["active"].template == "not is_archived"
    assert got["IsSold"].template == "sellable" or got["IsSold"].source_field == "sellable"


def test_example_shapes_keep_links_out_of_text() -> None:
    issue = obj(
        html_url={"type": "string", "example": "https://github.com/o/r/issues/1"},
        summary={"type": "string", "example": "It crashes when I click save."},
    )
    task = obj(description={"type": "string", "example": "Mittens really likes the stuff from Humboldt."})
    got = by_dest(propose_between(issue, task, intent="issues to tasks"))
    assert "description" not in got or got["description"].source_field != "html_url"


def test_the_counterparty_key_and_money_objects() -> None:
    invoice = obj(id=S, number=S, customer=S, amount_due=INT, currency=S, closed_issues=INT)
    xero = obj(
        Invoices={
            "type": "array",
            "items": obj(
                InvoiceNumber=S,
                Reference=S,
                Contact=obj(ContactID=S, ContactNumber=S, Name=S),
                AmountDue={"type": "number"},
            ),
        }
    )
    got = by_dest(propose_between(invoice, xero, source_path="/invoices", dest_path="/Invoices", intent="invoices"))
    assert got["Invoices[].InvoiceNumber"].source_field == "number"  # the record's own word goes
    assert got["Invoices[].Reference"].source_field == "id"
    assert got["Invoices[].Contact.ContactNumber"].source_field == "customer"  # the same party
    assert "Invoices[].Contact.ContactID" not in got  # the destination's own key for the contact
    refund = obj(id=S, amount=INT, currency=S)
    square = obj(amount_money=obj(amount=INT, currency=S), customer_id=S)
    got = by_dest(propose_between(refund, square, source_path="/refunds", dest_path="/refunds", intent="refunds"))
    assert got["amount_money.amount"].source_field == "amount"
    assert "customer_id" not in got  # a refund's id is no customer's id


def test_the_head_word_of_a_name_stays() -> None:
    issue = obj(closed_issues=INT, state={"type": "string", "enum": ["open", "closed"]})
    got = by_dest(propose_between(issue, obj(completed=B), intent="Create tasks from issues"))
    assert got["completed"].sources == ["state"] and got["completed"].template == "state == 'closed'"


def test_conversions_run_for_each_list_element() -> None:
    line = obj(amount=INT, currency=S, description=S)
    invoice = obj(id=S, lines=obj(data={"type": "array", "items": line}))
    item = obj(LineAmount={"type": "number"}, Description=S)
    xero = obj(LineItems={"type": "array", "items": item}, Reference=S)
    logic = propose_between(invoice, xero, source_path="/invoices", dest_path="/Invoices", intent="invoices")
    got = by_dest(logic)
    amount = got["LineItems[].LineAmount"]  # the container's own word goes: a line item's amount
    assert amount.template == "amount | minor_to_major(currency)"
    assert amount.sources == ["lines.data[].amount"]  # its element's currency is read by the template
    out = compile_mapping(logic)(
        {"lines": {"data": [{"amount": 1999, "currency": "usd", "description": "a"}, {"amount": 7, "currency": "jpy"}]}}
    )
    assert out.errors == []
    assert [line.get("LineAmount") for line in out.record["LineItems"]] == [19.99, 7]
    assert out.record["LineItems"][0]["Description"] == "a"


def test_a_status_from_a_flag_and_a_state_that_is_a_region() -> None:
    """Stripe tax rates -> Xero tax rates: ``active`` says which status value, and a ``state`` described as an
    ISO 3166-2 subdivision is a region, not the record's status."""
    region = {"type": "string", "description": "ISO 3166-2 subdivision code, without country prefix."}
    status = {"type": "string", "enum": ["ACTIVE", "DELETED", "ARCHIVED", "PENDING"]}
    logic = propose_between(
        obj(display_name=S, active=B, state=region),
        obj(TaxRates={"type": "array", "items": obj(Name=S, Status=status)}),
        source_path="/v1/tax_rates",
        dest_path="/TaxRates",
    )
    t = by_dest(logic)["TaxRates[].Status"]
    assert t.source_fields == ["active"] and t.template == "'ACTIVE' if active else 'ARCHIVED'"
    assert compile_mapping(logic)({"display_name": "VAT", "active": False, "state": "NY"}).record == {
        "TaxRates": [{"Name": "VAT", "Status": "ARCHIVED"}]
    }


def test_descriptions_name_the_callers_key_and_another_records_id() -> None:
    """Twilio's ``UniqueName`` ("An application-defined string that uniquely identifies the resource") takes the
    source's id; Stripe's ``default_price`` ("The ID of the Price object") is no price."""
    unique = {"type": "string", "description": "An application-defined string that uniquely identifies the resource."}
    price_id = {"type": "string", "description": "The ID of the Price object that is the default price."}
    logic = propose_between(
        obj(id=S, title=S, default_price=price_id),
        obj(FriendlyName=S, UniqueName=unique, unit_price={"type": "number"}),
        source_path="/conversations",
        dest_path="/v1/Conversations",
    )
    found = {t.dest_field: t.sources for t in logic.transformations}
    assert found["UniqueName"] == ["id"] and found["FriendlyName"] == ["title"]
    assert "unit_price" not in found
    assert any("id of another record" in c.reason for c in logic.below_threshold if c.dest_field == "unit_price")


def test_a_reference_keeps_the_record_word_and_plurals_find_their_concept() -> None:
    """A PVC's ``spec.volumeName`` "is the binding reference to the PersistentVolume", so a volume's ``name`` goes
    to ``metadata.name``; ``images`` are images and ``from_label`` is a ``from_name``."""
    ref = {"type": "string", "description": "volumeName is the binding reference to the PersistentVolume."}
    logic = propose_between(
        obj(name=S, image_url=S, from_label=S),
        obj(metadata=obj(name=S), spec=obj(volumeName=ref), images={"type": "array", "items": S}, from_name=S),
        source_path="/v2/volumes",
        dest_path="/api/v1/namespaces/{namespace}/persistentvolumeclaims",
        intent="A persistent volume claim for each volume",
    )
    found = {t.dest_field: t.sources for t in logic.transformations}
    assert found["metadata.name"] == ["name"] and "spec.volumeName" not in found
    assert found["images"] == ["image_url"] and found["from_name"] == ["from_label"]


def test_a_one_wrapper_body_is_required_and_its_key_comes_from_the_id() -> None:
    """Xero's ``PUT /Items`` body is ``{Items: [...]}``: the element's required ``Code`` is required for the mapping,
    and nothing but the source's id can fill it (for review); a single plain field stays optional."""
    dest = obj(Items={"type": "array", "items": obj(Code_req={"type": "string", "maxLength": 30}, Name=S)})
    assert {f.path: f.required for f in flatten(dest, {})} == {"Items[].Code": True, "Items[].Name": False}
    assert [f.required for f in flatten(obj(full_name=S), {})] == [False]
    logic = propose_between(obj(id=S, name=S), dest, source_path="/v1/products", dest_path="/Items")
    code = by_dest(logic)["Items[].Code"]
    assert code.source_field == "id" and code.confidence == 0.6 and code.needs_review
    assert "at most 30 characters" in code.reason and logic.unmapped_required == []


def test_names_alike_only_once_normalized_stay_below_the_top_band() -> None:
    """``tax_type`` -> ``TaxType`` (or ``type`` -> ``userType``) is likely, not certain: below 0.9, where the
    very same name may be."""
    logic = propose_between(obj(tax_type=S, notes=S), obj(TaxType=S, notes=S))
    found = {t.dest_field: t for t in logic.transformations}
    assert found["TaxType"].reason.startswith("same name once normalized") and found["TaxType"].confidence < 0.9
    assert found["notes"].reason.startswith("same name") and found["notes"].confidence >= 0.9


def test_the_resource_not_every_path_word_says_whether_records_are_people() -> None:
    """GitHub's ``/user/keys`` are keys: their ``title`` is a key's label, DigitalOcean's ``name``; at ``/users`` a
    ``title`` is a job title."""
    keys = propose_between(obj(title=S, key=S), obj(name=S, public_key=S), source_path="/user/keys",
                           dest_path="/v2/account/keys")  # fmt: skip
    assert {t.dest_field: t.sources for t in keys.transformations}["name"] == ["title"]
    users = propose_between(obj(title=S, key=S), obj(name=S, public_key=S), source_path="/users", dest_path="/users")
    assert "name" not in {t.dest_field for t in users.transformations}
    assert resource_words("/v2/customers/search") == {"customer"} and resource_words("/user/keys") == {"key"}


def test_a_list_filled_from_a_source_list_keeps_whole_record_values_out() -> None:
    """Xero's ``LineItems[]`` filled from Stripe's ``lines.data[]``: the invoice's own ``tax`` and ``description``
    are no line's tax amount or description (a reviewer may still take them)."""
    line = obj(amount=INT, quantity=INT, description=S)
    source = obj(tax=INT, description=S, lines=obj(data={"type": "array", "items": line}))
    dest_line = obj(LineAmount={"type": "number"}, Quantity={"type": "number"}, TaxAmount={"type": "number"},
                    Description=S)  # fmt: skip
    dest = obj(Invoices={"type": "array", "items": obj(LineItems={"type": "array", "items": dest_line})})
    logic = propose_between(source, dest, source_path="/v1/invoices", dest_path="/Invoices")
    found = by_dest(logic)
    assert found["Invoices[].LineItems[].Quantity"].source_field == "lines.data[].quantity"
    assert found["Invoices[].LineItems[].Description"].source_field == "lines.data[].description"
    tax = found.get("Invoices[].LineItems[].TaxAmount")
    assert tax is None or (tax.confidence < 0.8 and "filled from each lines.data element" in tax.reason)


def test_a_customers_own_name_and_address_beat_deprecated_payment_sources() -> None:
    """Stripe customers -> SendGrid contacts: first and last names split from ``name`` rather than read from a
    deprecated ``sources.data[].klarna``, and ``address.line1`` over ``sources.data[].address_line1`` (the
    request's ``contacts[]`` wrapper is the record, not a list the source's lists fill)."""
    old = {"type": "object", "deprecated": True, "properties": {"first_name": S, "last_name": S}}
    card = obj(address_line1=S, klarna=old)
    source = obj(id=S, name=S, address=obj(line1=S, city=S), sources=obj(data={"type": "array", "items": card}))
    contact = obj(first_name=S, last_name=S, address_line_1=S, city=S)
    dest = obj(contacts={"type": "array", "items": contact})
    logic = propose_between(source, dest, source_path="/v1/customers", dest_path="/v3/marketing/contacts")
    found = {t.dest_field: t.sources for t in logic.transformations}
    assert found["contacts[].first_name"] == ["name"] and found["contacts[].last_name"] == ["name"]
    assert found["contacts[].address_line_1"] == ["address.line1"] and found["contacts[].city"] == ["address.city"]


def test_a_company_keeps_its_name_and_its_own_key() -> None:
    """Intercom companies -> Xero contacts: a company's name is not split into first and last names; beside its
    ``id``, ``company_id`` is the key a user gave it; ``user_count`` is no ``itemCount``; ``ContactNumber``
    ("used to identify contacts in external systems") takes the id."""
    number = {"type": "string", "description": "Used to identify contacts in external systems (max length = 50)"}
    source = obj(id=S, company_id=S, name=S, user_count=INT)
    contact = obj(Name=S, FirstName=S, LastName=S, ContactNumber=number, AccountNumber=S, itemCount=INT)
    dest = obj(Contacts={"type": "array", "items": contact})
    logic = propose_between(source, dest, source_path="/companies", dest_path="/Contacts")
    found = {t.dest_field: t.sources for t in logic.transformations}
    assert found["Contacts[].Name"] == ["name"] and found["Contacts[].ContactNumber"] == ["id"]
    assert not {"Contacts[].FirstName", "Contacts[].LastName", "Contacts[].itemCount"} & set(found)


def test_a_field_named_like_the_resource_is_its_label_and_one_value_fields_take_no_source() -> None:
    """Mailchimp's tags carry their name as ``tag``: it is a SendGrid list's ``name``. A JSON:API ``data.type``
    that allows one value is set to it, never read from the source's ``type``."""
    only = {"type": "string", "enum": ["catalog-item"]}
    logic = propose_between(obj(tag=S, type=S, sent=INT), obj(name=S, data_req=obj(type_req=only)),
                            source_path="/tags/list.json", dest_path="/v3/marketing/lists")  # fmt: skip
    found = {t.dest_field: t for t in logic.transformations}
    assert found["name"].sources == ["tag"]
    assert (found["data.type"].transform_type, found["data.type"].value) == ("constant", "catalog-item")


def test_each_money_object_gets_the_currency_of_its_amount() -> None:
    """Square's ``tip_money`` beside ``amount_money``: one source currency fills both (the matcher pairs it with one
    only); ``receipt_email`` is the buyer's email address."""
    source = obj(id=S, amount_received=INT, tip=INT, currency=S, receipt_email=S)
    money = obj(amount=INT, currency=S)
    dest = obj(amount_money=money, tip_money=money, buyer_email_address=S)
    src = Endpoint(path="/v1/payment_intents", method="GET", response_schema=source, record_path="[]")
    dst = Endpoint(path="/v2/payments", method="POST", request_schema=dest)
    hints = {"amount_received": "amount_money.amount", "tip": "tip_money.amount"}
    logic = propose_mapping(spec(src), src, spec(dst), dst, MappingConfig(hints=hints))
    found = {t.dest_field: t for t in logic.transformations}
    assert found["amount_money.currency"].sources == ["currency"] and found["tip_money.currency"].sources == [
        "currency"
    ]
    assert found["buyer_email_address"].sources == ["receipt_email"]
    assert compile_mapping(logic)({"amount_received": 500, "tip": 50, "currency": "USD"}).record == {
        "amount_money": {"amount": 500, "currency": "USD"},
        "tip_money": {"amount": 50, "currency": "USD"},
    }


def test_a_field_of_a_record_a_referenced_record_references_is_kept_out() -> None:
    """A Xero payment references its invoice, which references a contact: the charge's ``receipt_email`` is not
    that contact's email address."""
    contact = obj(ContactID=S, EmailAddress=S, Name=S)
    dest = obj(Amount={"type": "number"}, Date=S, Reference=S, Invoice=obj(InvoiceID=S, Number=S, Contact=contact))
    place = Placement(flatten(dest, {}), frozenset({"payment"}), request=True)
    assert place.references_around(Field("Invoice.Contact.EmailAddress")) == 2
    logic = propose_between(obj(amount=INT, receipt_email=S), dest, source_path="/v1/charges", dest_path="/Payments")
    assert "Invoice.Contact.EmailAddress" not in {t.dest_field for t in logic.transformations}


def test_dates_by_description_money_without_amounts_and_a_discounts_amount() -> None:
    """Square's ``start_date`` ("The `YYYY-MM-DD`-formatted date") gets a date from Unix seconds; a currency whose
    money object gets no amount is a near miss, not a mapping; ``discount_data.amount_money.amount`` is the
    discount's amount (Stripe's ``amount_off``)."""
    day = {"type": "string", "description": "The `YYYY-MM-DD`-formatted date to start the subscription."}
    money = obj(amount=INT, currency=S)
    logic = propose_between(obj(start_date=UNIX, currency=S), obj(start_date=day, price_override_money=money),
                            source_path="/v1/subscriptions", dest_path="/v2/subscriptions")  # fmt: skip
    found = by_dest(logic)
    assert found["start_date"].template == "start_date | to_date" and "price_override_money.currency" not in found
    due = Field("due_date", type="string", description="The due date, in `YYYY-MM-DD` format.")
    assert compatibility(due, Field("due_date", type="integer", format="unix-time")) == (0.95, "iso_to_unix")
    near = {c.dest_field: c.reason for c in logic.below_threshold}
    assert "nothing fills price_override_money.amount" in near["price_override_money.currency"]
    coupon = propose_between(obj(amount_off=INT, currency=S, name=S),
                             obj(object=obj(discount_data=obj(name=S, amount_money=money))),
                             source_path="/v1/coupons", dest_path="/v2/catalog/object")  # fmt: skip
    found = {t.dest_field: t.sources for t in coupon.transformations}
    assert found["object.discount_data.amount_money.amount"] == ["amount_off"]
    assert found["object.discount_data.amount_money.currency"] == ["currency"]


def test_a_record_without_a_name_is_labelled_by_its_only_text() -> None:
    """Asana tasks -> Box tasks: a Box task has no name, so its ``message`` takes the task's name (below 0.9:
    likely, not certain); the reverse too."""
    box_task = obj(message=S, action={"type": "string", "enum": ["review", "complete"]}, due_at=DT)
    logic = propose_between(obj(gid=S, name=S, notes=S), box_task, source_path="/tasks", dest_path="/tasks")
    t = by_dest(logic)["message"]
    assert t.source_field == "name" and 0.6 <= t.confidence <= 0.85
    assert "the record's only text as its label" in t.reason
    back = propose_between(obj(id=S, message=S), obj(data=obj(name=S, notes=S)), source_path="/files/{id}/tasks",
                           dest_path="/tasks")  # fmt: skip
    assert by_dest(back)["data.name"].source_field == "message"


def test_vendor_names_api_links_and_ids_the_destination_takes() -> None:
    """GitHub repositories -> Box web links: "GitHub" in the intent names no record (its ``git`` would make
    ``git_url`` a url), and ``url`` (an ``api.github.com`` address) loses to ``html_url``. A Stripe quote line's
    ``price`` "The ID of the price object" takes no unit amount; ``ExpiryDate`` is ``expires_at``; a flag inside a
    nested object (``automatic_tax.enabled``) is not the record's status."""
    api = {"type": "string", "format": "uri", "example": "https://api.github.com/repos/octocat/Hello-World"}
    web = {"type": "string", "format": "uri", "example": "https://github.com/octocat/Hello-World"}
    logic = propose_between(obj(url=api, html_url=web, git_url=S, name=S), obj(url=S, name=S),
                            source_path="/orgs/{org}/repos", dest_path="/web_links",
                            intent="Bookmark each GitHub repository in Box")  # fmt: skip
    assert by_dest(logic)["url"].source_field == "html_url"
    assert "git" not in record_words(["Bookmark each GitHub repository in Box"])
    price = {"type": "string", "description": "The ID of the price object."}
    status = {"type": "string", "enum": ["ACTIVE", "ARCHIVED"]}
    quote = propose_between(
        obj(ExpiryDate={"type": "string", "format": "date"}, UnitAmount={"type": "number"}, Status=status),
        obj(expires_at=INT, price=price, automatic_tax=obj(enabled=B)),
        source_path="/Quotes",
        dest_path="/v1/quotes",
    )
    found = {t.dest_field: t.sources for t in quote.transformations}
    assert found == {"expires_at": ["ExpiryDate"]}
