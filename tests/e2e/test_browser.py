"""The bookshop in headless Chromium, used as a person would: forms, lists, a second tab."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def add_author(page: Any, name: str, country: str = "") -> None:
    page.goto("/forms/add_author")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Country code").fill(country)
    page.get_by_role("button", name="Add author").click()


def authors_table(page: Any) -> Any:
    return page.locator("section[data-state='\"authors\"'] tbody")


def test_a_valid_form_adds_the_row_to_the_list_without_a_reload(context: Any) -> None:
    page = context.new_page()
    page.goto("/forms/add_author")
    page.evaluate("window.notReloaded = true")
    add_author(page, "Ursula K. Le Guin", "US")
    expect(authors_table(page)).to_contain_text("Ursula K. Le Guin")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert page.evaluate("window.notReloaded") is None  # add_author navigated once, by goto


def test_the_row_shows_before_the_server_answers_and_stays(context: Any) -> None:
    page = context.new_page()
    page.goto("/forms/add_author")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Name").fill("Octavia E. Butler")
    page.get_by_role("button", name="Add author").click()
    expect(authors_table(page).locator("tr", has_text="Octavia E. Butler")).to_have_count(1)
    expect(authors_table(page).locator("tr.pending")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True


def test_invalid_input_shows_an_accessible_error_and_keeps_the_input(context: Any) -> None:
    page = context.new_page()
    page.goto("/forms/add_author")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Country code").fill("GB")
    page.get_by_role("button", name="Add author").click()
    expect(page.get_by_role("alert")).to_contain_text("Name is required.")
    name = page.get_by_label("Name")
    expect(name).to_have_attribute("aria-invalid", "true")
    described = name.get_attribute("aria-describedby")
    expect(page.locator(f"#{described}")).to_have_text(re.compile("Name is required."))
    expect(page.get_by_label("Country code")).to_have_value("GB")
    assert page.evaluate("window.notReloaded") is True


def test_a_rejected_write_rolls_back_its_optimistic_row(context: Any) -> None:
    page = context.new_page()
    add_author(page, "Frank Herbert")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(authors_table(page)).to_contain_text("Frank Herbert")
    rows = authors_table(page).locator("tr").count()
    page.get_by_label("Name").fill("Frank Herbert")  # the name is UNIQUE: the server refuses it
    page.get_by_role("button", name="Add author").click()
    expect(page.get_by_role("alert")).to_contain_text("already taken")
    expect(authors_table(page).locator("tr")).to_have_count(rows)
    expect(authors_table(page).locator("tr.pending")).to_have_count(0)


def test_a_second_page_sees_the_change_after_its_sync(context: Any) -> None:
    second = context.new_page()
    second.goto("/states/authors")
    expect(second.locator(".sync")).to_contain_text("version")
    first = context.new_page()
    add_author(first, "Iain M. Banks", "GB")
    expect(authors_table(first)).to_contain_text("Iain M. Banks")
    expect(authors_table(second)).to_contain_text("Iain M. Banks", timeout=5_000)


def add_book(page: Any, title: str, isbn: str, price: str, author: str) -> None:
    page.goto("/forms/add_book")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Isbn").fill(isbn)
    page.get_by_label("Price").fill(price)
    page.get_by_label("Stock").fill("4")
    page.get_by_label("Author").select_option(label=author)
    page.get_by_role("button", name="Add book").click()


def books_table(page: Any) -> Any:
    return page.locator("section[data-state='\"books\"'] tbody")


def test_a_new_book_appears_in_the_books_list(context: Any) -> None:
    page = context.new_page()
    add_author(page, "Mary Shelley", "GB")
    add_book(page, "Frankenstein", "9780141439471", "7.99", "Mary Shelley")
    expect(books_table(page).locator("tr", has_text="Frankenstein")).to_contain_text("7.99")


def test_a_row_opens_its_edit_form_filled_and_the_edit_shows(context: Any) -> None:
    page = context.new_page()
    add_author(page, "Stanislaw Lem", "PL")
    add_book(page, "Solaris", "9780156027601", "11.00", "Stanislaw Lem")
    row = books_table(page).locator("tr", has_text="Solaris")
    row.get_by_role("link", name="Edit book").click()
    expect(page.get_by_label("Title")).to_have_value("Solaris")
    page.get_by_label("Price").fill("6.50")
    page.get_by_role("button", name="Edit book").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(books_table(page).locator("tr", has_text="Solaris")).to_contain_text("6.5")


def test_an_xss_payload_shows_as_text(context: Any) -> None:
    payload = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
    page = context.new_page()
    add_author(page, payload)
    expect(authors_table(page)).to_contain_text(payload)
    page.goto("/states/authors")  # rendered by the server this time
    expect(authors_table(page)).to_contain_text(payload)
    assert page.evaluate("window.pwned") is None
    assert authors_table(page).locator("img, script").count() == 0


def test_a_forged_post_without_the_csrf_token_is_refused(context: Any) -> None:
    page = context.new_page()
    page.goto("/forms/add_author")  # the context now holds a valid CSRF cookie
    answer = context.request.post("/forms/add_author", form={"name": "Forged"})
    assert answer.status == 403
    page.goto("/states/authors")
    expect(authors_table(page)).not_to_contain_text("Forged")


def test_a_field_the_server_owns_cannot_be_set_by_adding_it(context: Any) -> None:
    page = context.new_page()
    page.goto("/forms/add_author")
    page.evaluate(
        """() => {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = "id"; input.value = "4242";
            document.querySelector("form#add_author").appendChild(input);
        }"""
    )
    page.get_by_label("Name").fill("Smuggled Id")
    page.get_by_role("button", name="Add author").click()
    expect(page.get_by_role("alert")).to_contain_text("id is set by the server")
    answer = context.request.get("/api/states/authors").json()
    ids = [p["row"]["id"] for p in answer["patches"] if p["op"] == "put"]
    assert 4242 not in ids and "Smuggled Id" not in str(answer)


def test_pending_rows_follow_the_query_where_and_order(context: Any) -> None:
    page = context.new_page()
    add_author(page, "Ann Leckie", "US")
    add_book(page, "Ancillary Justice", "9780316246620", "9.00", "Ann Leckie")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(books_table(page).locator("tr.pending")).to_have_count(0)
    effects = page.evaluate(
        """() => {
            const books = window.scaffoldStores.find((s) => s.name === "books");
            const values = {title: "Aaa", isbn: "9780000000001", price: "5", author_id: "1"};
            const none = books.effectOf(["books", "insert"], {...values, stock: "0"}, "m1");
            const some = books.effectOf(["books", "insert"], {...values, stock: "2"}, "m2");
            books.mutate("m2", some);
            const first = books.shown()[0];
            books.reject("m2");
            return {none, some, first, after: books.shown().length, before: books.rows.size};
        }"""
    )
    assert effects["none"] == []  # WHERE stock > 0 keeps it out of the books in stock
    # the server chooses the id; the row shows at once, first in ORDER BY title
    row = {"id": None, "title": "Aaa", "price": 5, "stock": 2}
    assert effects["some"] == [{"op": "put", "key": "pending:m2", "row": row}]
    assert effects["first"]["row"]["title"] == "Aaa" and effects["first"]["pending"]
    assert effects["after"] == effects["before"]
