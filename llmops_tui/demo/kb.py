"""Acme's help center as the retriever sees it: the articles that fill `{{kb_articles}}`.

The policies here (return windows, label fee, refund timing, warranty) are the ones the
prompts in `sample_project/` spell out and its regression dataset checks, so retrieved
context, prompt text and eval expectations agree.
"""

from __future__ import annotations

from typing import Final

ARTICLES: Final[dict[str, tuple[str, str, str]]] = {
    # id: (category, title, body)
    "KB-1001": (
        "shipping",
        "Shipping options and delivery times",
        "Standard shipping takes 3-5 business days and is free on orders over $50 (otherwise"
        " $5.95). Expedited 2-day shipping is $14.95. Plus members get free standard shipping"
        " on every order; Business accounts get free 2-day shipping.",
    ),
    "KB-1002": (
        "order_status",
        "Tracking your order",
        "You get an email with a tracking number when your order ships; it is also under"
        " Orders in your account. Tracking can take 24 hours to update. If a parcel shows as"
        " delivered but you can't find it, wait 48 hours, then contact us and we open a carrier"
        " claim.",
    ),
    "KB-1003": (
        "order_status",
        "Changing or cancelling an order",
        "Orders can be changed or cancelled until they are packed, usually within one hour of"
        " ordering: open Orders, choose the order and select Cancel. A shipped order can't be"
        " cancelled, but you can return it after delivery.",
    ),
    "KB-1010": (
        "returns",
        "Returns and exchanges",
        "Unused items can be returned within 30 days of delivery; Plus and Business members"
        " have 60 days. Start a return under Orders > Return items and print the label. For an"
        " exchange, choose Exchange and we ship the new size as soon as the return is scanned.",
    ),
    "KB-1011": (
        "returns",
        "Return shipping labels",
        "Return labels are free for Plus and Business members. On the Free plan a $6.95 label"
        " fee is deducted from the refund, or you can send the item back with any tracked"
        " service. Drop the parcel at a UPS location within 7 days of printing the label.",
    ),
    "KB-1020": (
        "refunds",
        "Refund timelines",
        "Refunds go back to the original payment method 5-7 business days after the return"
        " arrives at our warehouse. Your bank may take a few more days to show it. You get an"
        " email when the refund is issued.",
    ),
    "KB-1021": (
        "refunds",
        "Price adjustments",
        "If an item drops in price within 14 days of purchase, Plus and Business members can"
        " ask for the difference back. Price adjustments are not available on the Free plan or"
        " for clearance and flash-sale prices.",
    ),
    "KB-1030": (
        "damaged_item",
        "Damaged, defective or wrong items",
        "Report a damaged, defective or wrong item within 14 days of delivery with a photo,"
        " under Orders > Report a problem. We ship a replacement free of charge. For items"
        " under $75 you don't need to send anything back.",
    ),
    "KB-1031": (
        "warranty",
        "Warranty coverage",
        "Acme-brand gear has a 2-year warranty against defects in materials and workmanship"
        " from the delivery date; other brands carry the manufacturer's warranty. Wear,"
        " accidents and misuse are not covered. Send a photo and your order number to start a"
        " claim.",
    ),
    "KB-1040": (
        "billing",
        "Acme Plus membership",
        "Acme Plus costs $49 a year: free standard shipping, free return labels, 60-day"
        " returns and price adjustments. Cancel any time under Account settings > Membership;"
        " an unused membership is refunded in full within 30 days of the charge.",
    ),
    "KB-1041": (
        "billing",
        "Updating payment methods",
        "Add, remove or change cards under Account settings > Payment methods. We never ask"
        " for your full card number by chat or email. Changes apply to future orders and to"
        " your next membership renewal.",
    ),
    "KB-1042": (
        "billing",
        "Business accounts and invoicing",
        "Business accounts get free 2-day shipping, net-30 invoicing and an account manager"
        " who replies within 4 business hours. Invoices are under Account > Billing > Invoices."
        " Ask your account manager for quotes and bulk or branded orders.",
    ),
    "KB-1050": (
        "account",
        "Signing in and resetting your password",
        "Use Forgot password on the sign-in page; the reset link is valid for 30 minutes. If"
        " the email doesn't arrive, check your spam folder and use the address on your account."
        " Change your email under Account settings > Profile.",
    ),
    "KB-1051": (
        "account",
        "Two-step verification",
        "Lost your authenticator? Choose Use a backup code at sign-in. Without backup codes"
        " our team can reset two-step verification after confirming your identity by email."
        " Never share a verification code with anyone, including Acme staff.",
    ),
    "KB-1060": (
        "product",
        "Caring for outdoor gear",
        "Wash rain jackets on a gentle cycle with a technical wash, then tumble dry on low to"
        " reactivate the water-repellent finish. Dry tents fully before storing them. Size"
        " charts are on each product page under Size & fit.",
    ),
}
