from config.ids import new_public_id


def subject_record_id() -> str:
    return new_public_id("sr_")


def workflow_id() -> str:
    return new_public_id("w_")


def subject_document_id() -> str:
    return new_public_id("d_")


def required_document_id() -> str:
    return new_public_id("rd_")


def fulfillment_id() -> str:
    return new_public_id("f_")
