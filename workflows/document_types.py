"""The document-type registry: every ``document_type_code`` a required document may name, with its default name."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.constants import CustomerType


@dataclass(frozen=True)
class DocumentType:
    code: str
    name: str
    description: str
    # Who such a document is usually about; None for both.
    customer_type: CustomerType | None = None


DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    DocumentType("PASSPORT", "Passport Document", "Valid passport", CustomerType.INDIVIDUAL),
    DocumentType("DRIVERS_LICENSE", "Driver's License", "Valid driver's license", CustomerType.INDIVIDUAL),
    DocumentType("NATIONAL_ID_CARD", "National ID Card", "Government-issued identity card", CustomerType.INDIVIDUAL),
    DocumentType("RESIDENCE_PERMIT", "Residence Permit", "Valid residence permit", CustomerType.INDIVIDUAL),
    DocumentType("SELFIE", "Selfie", "A photo of the person holding their ID", CustomerType.INDIVIDUAL),
    DocumentType("PROOF_OF_ADDRESS", "Proof of Address", "Utility bill or statement under 3 months old"),
    DocumentType("BANK_STATEMENT", "Bank Statement", "Most recent bank statements"),
    DocumentType("VOIDED_CHECK", "Voided Check", "A voided check for the settlement account", CustomerType.COMPANY),
    DocumentType("TAX_RETURN", "Tax Return", "Most recent tax return"),
    DocumentType("TAX_ID_LETTER", "Tax ID Letter", "IRS EIN confirmation letter (CP 575 / 147C)", CustomerType.COMPANY),
    DocumentType("FINANCIAL_STATEMENT", "Financial Statement", "Balance sheet and P&L", CustomerType.COMPANY),
    DocumentType(
        "PROCESSING_STATEMENT", "Processing Statement", "Recent card processing statements", CustomerType.COMPANY
    ),
    DocumentType(
        "ARTICLES_OF_INCORPORATION",
        "Articles of Incorporation",
        "Certificate or articles of incorporation",
        CustomerType.COMPANY,
    ),
    DocumentType(
        "CERTIFICATE_OF_GOOD_STANDING",
        "Certificate of Good Standing",
        "Issued within the last 6 months",
        CustomerType.COMPANY,
    ),
    DocumentType(
        "OPERATING_AGREEMENT", "Operating Agreement", "LLC operating agreement or bylaws", CustomerType.COMPANY
    ),
    DocumentType(
        "OWNERSHIP_STRUCTURE", "Ownership Structure", "Chart of owners and their percentages", CustomerType.COMPANY
    ),
    DocumentType("BUSINESS_LICENSE", "Business License", "Valid business or trade license", CustomerType.COMPANY),
    DocumentType("OTHER", "Other Document", "Any other supporting document"),
)

DOCUMENT_TYPES_BY_CODE: dict[str, DocumentType] = {
    document_type.code: document_type for document_type in DOCUMENT_TYPES
}
DOCUMENT_TYPE_CHOICES: list[tuple[str, str]] = [
    (document_type.code, document_type.name) for document_type in DOCUMENT_TYPES
]


def document_type_get(code: str) -> DocumentType | None:
    return DOCUMENT_TYPES_BY_CODE.get(code)


# DOCUMENT_FILE_TYPES: the extensions /document.create accepts (a subset of the upload core's file-type registry,
# which decides each one's Content-Type and magic bytes).
DOCUMENT_FILE_TYPES: tuple[str, ...] = (
    "pdf",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "heic",
    "heif",
    "tif",
    "tiff",
    "docx",
    "xlsx",
    "csv",
)
