"""The words in the demo's conversations: help-center articles, questions and answers.

Generated traffic is only convincing on the Traces screen if the messages read like a real
support chat, and only cheap to generate if they come from a fixed bank filled with a few
slots. The articles agree with `sample_project/` (prompts and the regression dataset quote
the same return windows, fees and limits), so a trace, a prompt diff and an eval case tell
one consistent story.
"""

from __future__ import annotations

from typing import Final

FIRST_NAMES: Final = (
    "Maya", "Lukas", "Priya", "Tom", "Sofia", "Hannah", "Daniel", "Grace", "Oliver", "Emma",
    "Marcus", "Aisha", "Chloe", "Ben", "Nadia", "Jamal", "Yuki", "Ella", "Noah", "Isabella",
    "Liam", "Olivia", "Ethan", "Zoe", "Samuel", "Mia", "Lucas", "Amelia", "Henry", "Leah",
    "Victor", "Ruby", "Gabriel", "Fatima", "Jack", "Lena", "Mateo", "Ava", "William", "Sara",
)  # fmt: skip
LAST_NAMES: Final = (
    "Okafor", "Brandt", "Raman", "Gallagher", "Marquez", "Lee", "Kim", "Adeyemi", "Novak",
    "Lindqvist", "Bell", "Khan", "Dubois", "Carter", "Petrova", "Wright", "Tanaka", "Fischer",
    "Schmidt", "Rossi", "O'Connor", "Brown", "Murphy", "Papadopoulos", "Osei", "Hoffmann",
    "Moreau", "Clarke", "Walsh", "Cohen", "Alvarez", "Nguyen", "Santos", "Haddad", "Thompson",
    "Weber", "Silva", "Johnson", "Park", "Jensen",
)  # fmt: skip
PLANS: Final = ("Free", "Plus", "Business")
PLAN_WEIGHTS: Final = (0.62, 0.29, 0.09)

PRODUCTS: Final = (
    "Trailhead 2-Person Tent", "Summit 45L Backpack", "Ridgeline Rain Jacket",
    "Alpine 20F Sleeping Bag", "Basecamp Lantern", "Cedar Camp Stool", "Trail Headlamp 400",
    "Camp Mug Set", "Driftwood Adirondack Chair", "Canyon Hiking Boots", "Polar Fleece Pullover",
    "Riverside Kayak Paddle", "Backcountry Stove", "Ultralight Sleeping Pad",
    "Insulated Water Bottle 1L", "Wool Hiking Socks (3-pack)",
)  # fmt: skip
GARMENTS: Final = (
    "Ridgeline Rain Jacket", "Polar Fleece Pullover", "Canyon Hiking Boots",
    "Merino Base Layer Top", "Trail Running Shorts", "Down Puffer Vest",
)  # fmt: skip
"""Products for questions about fit and size (`{garment}` in a question)."""

KB_ARTICLES: Final[dict[str, tuple[str, str, str]]] = {
    # id: (category, title, body)
    "KB-1001": ("shipping", "Shipping options and delivery times", "Standard shipping takes 3-5 business days and is free on orders over $50 (otherwise $5.95). Expedited 2-day shipping is $14.95. Plus members get free standard shipping on every order; Business accounts get free 2-day shipping."),  # noqa: E501
    "KB-1002": ("order_status", "Tracking your order", "You get an email with a tracking number when your order ships; it is also under Orders in your account. Tracking can take 24 hours to update. If a parcel shows as delivered but you can't find it, wait 48 hours, then contact us and we open a carrier claim."),  # noqa: E501
    "KB-1003": ("order_status", "Changing or cancelling an order", "Orders can be changed or cancelled until they are packed, usually within one hour of ordering: open Orders, choose the order and select Cancel. A shipped order can't be cancelled, but you can return it after delivery."),  # noqa: E501
    "KB-1010": ("returns", "Returns and exchanges", "Unused items can be returned within 30 days of delivery; Plus and Business members have 60 days. Start a return under Orders > Return items and print the label. For an exchange, choose Exchange and we ship the new size as soon as the return is scanned."),  # noqa: E501
    "KB-1011": ("returns", "Return shipping labels", "Return labels are free for Plus and Business members. On the Free plan a $6.95 label fee is deducted from the refund, or you can send the item back with any tracked service. Drop the parcel at a UPS location within 7 days of printing the label."),  # noqa: E501
    "KB-1020": ("refunds", "Refund timelines", "Refunds go back to the original payment method 5-7 business days after the return arrives at our warehouse. Your bank may take a few more days to show it. You get an email when the refund is issued."),  # noqa: E501
    "KB-1021": ("refunds", "Price adjustments", "If an item drops in price within 14 days of purchase, Plus and Business members can ask for the difference back. Price adjustments are not available on the Free plan or for clearance and flash-sale prices."),  # noqa: E501
    "KB-1030": ("damaged_item", "Damaged, defective or wrong items", "Report a damaged, defective or wrong item within 14 days of delivery with a photo, under Orders > Report a problem. We ship a replacement free of charge. For items under $75 you don't need to send anything back."),  # noqa: E501
    "KB-1031": ("warranty", "Warranty coverage", "Acme-brand gear has a 2-year warranty against defects in materials and workmanship from the delivery date; other brands carry the manufacturer's warranty. Wear, accidents and misuse are not covered. Send a photo and your order number to start a claim."),  # noqa: E501
    "KB-1040": ("billing", "Acme Plus membership", "Acme Plus costs $49 a year: free standard shipping, free return labels, 60-day returns and price adjustments. Cancel any time under Account settings > Membership; an unused membership is refunded in full within 30 days of the charge."),  # noqa: E501
    "KB-1041": ("billing", "Updating payment methods", "Add, remove or change cards under Account settings > Payment methods. We never ask for your full card number by chat or email. Changes apply to future orders and to your next membership renewal."),  # noqa: E501
    "KB-1042": ("billing", "Business accounts and invoicing", "Business accounts get free 2-day shipping, net-30 invoicing and an account manager who replies within 4 business hours. Invoices are under Account > Billing > Invoices. Ask your account manager for quotes and bulk or branded orders."),  # noqa: E501
    "KB-1050": ("account", "Signing in and resetting your password", "Use Forgot password on the sign-in page; the reset link is valid for 30 minutes. If the email doesn't arrive, check your spam folder and use the address on your account. Change your email under Account settings > Profile."),  # noqa: E501
    "KB-1051": ("account", "Two-step verification", "Lost your authenticator? Choose Use a backup code at sign-in. Without backup codes our team can reset two-step verification after confirming your identity by email. Never share a verification code with anyone, including Acme staff."),  # noqa: E501
    "KB-1060": ("product", "Caring for outdoor gear", "Wash rain jackets on a gentle cycle with a technical wash, then tumble dry on low to reactivate the water-repellent finish. Dry tents fully before storing them. Size charts are on each product page under Size & fit."),  # noqa: E501
}

CATEGORIES: Final = (
    "order_status", "returns", "refunds", "shipping", "billing", "damaged_item", "account",
    "product", "warranty",
)  # fmt: skip
CATEGORY_WEIGHTS: Final = (24, 16, 12, 12, 9, 8, 8, 6, 5)

TOOL_SHARE: Final[dict[str, float]] = {
    "order_status": 0.9, "returns": 0.7, "refunds": 0.8, "damaged_item": 0.85,
}  # fmt: skip
"""When a first message names an order, how often the agent calls `lookup_order` for it."""

QUESTIONS: Final[dict[str, tuple[str, ...]]] = {
    "order_status": (
        "Where is my order {order}? It was supposed to arrive yesterday.",
        "Hi, can I get the tracking number for order {order}?",
        "My order {order} still says processing after 3 days. Is something wrong?",
        "When will my {product} arrive? Order {order}.",
        "Tracking for {order} hasn't updated since Monday, is it lost?",
        "Can I still cancel order {order}? I picked the wrong colour.",
        "The app says {order} was delivered but there's nothing at my door.",
    ),
    "returns": (
        "How do I return a {product} I got last week?",
        "The {garment} doesn't fit. Can I exchange it for a bigger size?",
        "I bought a {product} about 40 days ago, can I still return it? Order {order}.",
        "Do I have to pay for the return label?",
        "I threw away the box of my {product}. Can I still send it back?",
    ),
    "refunds": (
        "I sent my return back 10 days ago and still no refund. What's going on?",
        "When will I get my money back for order {order}?",
        "The {product} went on sale two days after I bought it. Can I get the difference?",
        "My refund was $6.95 less than what I paid, why?",
    ),
    "shipping": (
        "How long does standard shipping take?",
        "Is shipping free if my cart is under $50?",
        "If I order a {product} today, can I have it by Friday?",
        "How much is expedited shipping?",
    ),
    "billing": (
        "How much is Acme Plus and what do I get?",
        "I was charged $49 for Plus but I thought I cancelled. Can I get that back?",
        "How do I change the card on my account?",
        "Where can I download the invoice for order {order}?",
    ),
    "damaged_item": (
        "My {product} arrived broken. Order {order}.",
        "The {product} is missing parts, what do I do?",
        "You sent me the wrong item in order {order}.",
    ),
    "account": (
        "I forgot my password and the reset email never came.",
        "I got a new phone and can't get my 2-step code anymore.",
        "How do I change the email address on my account?",
    ),
    "product": (
        "How do I clean my {product}?",
        "What size {garment} should I get? I'm usually a medium.",
        "Is the {product} fully waterproof?",
    ),
    "warranty": (
        "My {product} broke after 8 months. Is that covered by warranty?",
        "How do I make a warranty claim for my {product}?",
    ),
}

FOLLOW_UPS: Final = (
    "Thanks! And how long does the refund take after that?",
    "Ok. Can you send me that by email too?",
    "What if it's already past that date?",
    "Does that apply to Plus members too?",
    "Can I talk to a person instead?",
    "Great, that's all I needed. Thanks!",
    "Sorry, one more thing: is there a fee for that?",
    "And if I'm not home when it arrives?",
)

ANSWERS: Final[dict[str, tuple[str, ...]]] = {
    "order_status": (
        "Your order {order} shipped with {carrier} and is on its way. The tracking number is"
        " {tracking}, and it should arrive by {eta}. Tracking can take up to 24 hours to update.",
        "I checked order {order}: it left our warehouse and {carrier} expects to deliver it by"
        " {eta}. You can follow it with tracking number {tracking}.",
    ),
    "returns": (
        "You can return unused items within {window} days of delivery. Go to Orders, choose"
        " Return items, pick the {product} and print the label. {label_note}",
        "Sure! Start an exchange under Orders > Return items and choose Exchange. We ship the new"
        " size as soon as the return is scanned. Returns are accepted within {window} days.",
    ),
    "refunds": (
        "Refunds go back to your original payment method 5-7 business days after the return"
        " reaches our warehouse, and your bank may need a few more days to show it.",
        "Price adjustments are available within 14 days of purchase for Plus and Business"
        " members. If that applies to you, reply with your order number and I'll request it.",
    ),
    "shipping": (
        "Standard shipping takes 3-5 business days and is free on orders over $50. Expedited"
        " 2-day shipping is $14.95 if you need it sooner.",
        "If you choose expedited 2-day shipping ($14.95) before 1 pm ET, your {product} should"
        " arrive within 2 business days.",
    ),
    "billing": (
        "Acme Plus is $49 a year and includes free standard shipping, free return labels, 60-day"
        " returns and price adjustments. You can cancel any time under Account settings.",
        "You can add or change cards under Account settings > Payment methods. For your safety,"
        " please never share your full card number in chat.",
    ),
    "damaged_item": (
        "I'm sorry the {product} arrived like that. Please report it under Orders > Report a"
        " problem with a photo, and we'll ship a replacement free of charge.",
    ),
    "account": (
        "Use Forgot password on the sign-in page; the link is valid for 30 minutes. If the email"
        " doesn't show up, check your spam folder and make sure you use your account address.",
        "At sign-in, choose Use a backup code. If you don't have backup codes, our team can reset"
        " two-step verification after confirming your identity by email.",
    ),
    "product": (
        "Wash it on a gentle cycle with a technical wash, then tumble dry on low to reactivate the"
        " water-repellent finish. The size chart is on the product page under Size & fit.",
    ),
    "warranty": (
        "Acme-brand gear has a 2-year warranty against defects from the delivery date. Send us a"
        " photo and your order number and we'll start a claim for your {product}.",
    ),
}

OPENERS: Final[dict[str, tuple[str, ...]]] = {
    "v1": ("Hello {first}! Thank you so much for reaching out to Acme Support. ", "Hi {first}! "),
    "v2": ("Hi {first}, thanks for getting in touch. ", "Hi {first}, "),
    "v3": ("Hi {first}! ", ""),
    "v4": ("Hi {first}! ", ""),
}
CLOSERS: Final[dict[str, tuple[str, ...]]] = {
    "v1": (
        " Is there anything else I can help you with today? Have a wonderful day!",
        " Please let me know if you have any other questions!",
    ),
    "v2": (" Anything else I can help with?", " Let me know if I can help with anything else."),
    "v3": ("", " Anything else?"),
    "v4": ("", " Anything else?"),
}
BUSINESS_NOTE: Final = (
    " As a Business customer you can also ask your account manager, who replies within 4"
    " business hours."
)
BUSINESS_NOTE_CATEGORIES: Final = frozenset({"order_status", "shipping", "billing", "refunds"})

FEEDBACK_COMMENTS: Final = (
    "Didn't answer my question",
    "Took forever to reply",
    "Wrong return window, I'm a Plus member",
    "Just tell me where my package is",
    "I wanted a person",
    "Answer was way too long",
)
