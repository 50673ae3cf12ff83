import pytest

from orchestration.extract.naming import object_match_key, quote_identifier, to_snake_case


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("CreatedDate", "created_date"),
        ("IsDeleted", "is_deleted"),
        ("Id", "id"),
        ("ConvertedOpportunityId", "converted_opportunity_id"),
        ("CurrencyIsoCode", "currency_iso_code"),
        ("Product2Id", "product_2_id"),
        ("Pricebook2Id", "pricebook_2_id"),
        ("SBQQ__Quote__c", "sbqq_quote_c"),
        ("Hire_Date__c", "hire_date_c"),
        ("OwnerID", "owner_id"),
        ("created_date", "created_date"),
        ("product_2_id", "product_2_id"),
        ("_fivetran_synced", "_fivetran_synced"),
        ("\ufeffId", "id"),
        (" LeadSource ", "lead_source"),
        ("mkto71_Lead_Score__c", "mkto_71_lead_score_c"),
    ],
)
def test_headers_normalize_to_fivetran_snake_case(header, expected):
    assert to_snake_case(header) == expected


@pytest.mark.parametrize("name", ["Product2", "product_2", "sf_product_2_data", "PRODUCT2"])
def test_file_stems_of_one_object_share_a_match_key(name):
    assert object_match_key(name) == "product2"


def test_object_names_stay_distinct():
    assert object_match_key("Opportunity") != object_match_key("OpportunityHistory")
    assert object_match_key("sf_opportunity_line_item_data") == object_match_key("OpportunityLineItem")


def test_identifiers_are_quoted_safely():
    assert quote_identifier('we"ird') == '"we""ird"'
