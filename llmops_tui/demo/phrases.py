"""The words in the demo's conversations: customers, products, questions and answers.

Generated traffic is only convincing on the Traces screen if the messages read like a real
support chat, and only cheap to generate if they come from a fixed bank filled with a few
slots. The answers quote the same policies as `kb.py` and `sample_project/` (return windows,
fees, limits), so a trace, a prompt diff and an eval case tell one consistent story.
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

CATEGORIES: Final = (
    "order_status", "returns", "refunds", "shipping", "billing", "damaged_item", "account",
    "product", "warranty",
)  # fmt: skip
CATEGORY_WEIGHTS: Final = (24, 16, 12, 12, 9, 8, 8, 6, 5)

TOOL_SHARE: Final[dict[str, float]] = {
    "order_status": 0.9, "returns": 0.7, "refunds": 0.8, "damaged_item": 0.85,
}  # fmt: skip
"""When a first message names an order, how often the agent calls `lookup_order` for it."""

QUESTIONS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    # category: (first message, the assistant's answer to it); slots are filled per turn
    "order_status": (
        (
            "Where is my order {order}? It was supposed to arrive yesterday.",
            "Sorry for the wait! Order {order} is with {carrier} and should arrive by {eta}."
            " Tracking number: {tracking}. Tracking can take up to 24 hours to update.",
        ),
        (
            "Hi, can I get the tracking number for order {order}?",
            "Sure: order {order} shipped with {carrier}, tracking number {tracking}. It should"
            " arrive by {eta}.",
        ),
        (
            "My order {order} still says processing after 3 days. Is something wrong?",
            "Nothing's wrong: order {order} has left our warehouse and {carrier} expects to deliver"
            " it by {eta}. You can follow it with tracking number {tracking}.",
        ),
        (
            "When will my {product} arrive? Order {order}.",
            "Your {product} (order {order}) is on its way with {carrier} and should arrive by"
            " {eta}. Tracking number: {tracking}.",
        ),
        (
            "Tracking for {order} hasn't updated since Monday, is it lost?",
            "It isn't lost: {carrier} still shows order {order} in transit, with delivery expected"
            " by {eta}. If it hasn't moved by then, reply here and we'll open a claim.",
        ),
        (
            "Can I still cancel order {order}? I picked the wrong colour.",
            "Order {order} has already shipped with {carrier}, so it can't be cancelled any more."
            " Once it arrives you can exchange it for another colour under Orders > Return items.",
        ),
        (
            "The app says {order} was delivered but there's nothing at my door.",
            "I'm sorry! Carriers sometimes mark a parcel delivered early. If {carrier} tracking"
            " {tracking} still shows no parcel in 48 hours, contact us and we'll open a claim.",
        ),
    ),
    "returns": (
        (
            "How do I return a {product} I got last week?",
            "You can return unused items within {window} days of delivery. Go to Orders > Return"
            " items, pick the {product} and print the label. {label_note}",
        ),
        (
            "The {garment} doesn't fit. Can I exchange it for a bigger size?",
            "Sure! Start an exchange under Orders > Return items and choose Exchange. We ship the"
            " new size as soon as the return is scanned, within the {window}-day return window.",
        ),
        (
            "I bought a {product} about 40 days ago, can I still return it? Order {order}.",
            "Returns are accepted within {window} days of delivery. {late_note}",
        ),
        (
            "Do I have to pay for the return label?",
            "{label_note} Drop the parcel at a UPS location within 7 days of printing the label.",
        ),
        (
            "I threw away the box of my {product}. Can I still send it back?",
            "Yes, the original box isn't needed. Pack the {product} securely in any box, start the"
            " return under Orders > Return items and attach the label.",
        ),
    ),
    "refunds": (
        (
            "I sent my return back 10 days ago and still no refund. What's going on?",
            "Refunds go back to your original payment method 5-7 business days after the return"
            " reaches our warehouse, and your bank may need a few more days to show it.",
        ),
        (
            "When will I get my money back for order {order}?",
            "Once the return for order {order} reaches our warehouse, the refund goes back to your"
            " original payment method within 5-7 business days.",
        ),
        (
            "The {product} went on sale two days after I bought it. Can I get the difference?",
            "Price adjustments are available within 14 days of purchase for Plus and Business"
            " members. If that applies to you, reply with your order number and I'll request it.",
        ),
        (
            "My refund was $6.95 less than what I paid, why?",
            "On the Free plan the $6.95 return label fee is deducted from the refund. You can avoid"
            " it by sending the item back yourself with any tracked service.",
        ),
    ),
    "shipping": (
        (
            "How long does standard shipping take?",
            "Standard shipping takes 3-5 business days and is free on orders over $50. Expedited"
            " 2-day shipping is $14.95 if you need it sooner.",
        ),
        (
            "Is shipping free if my cart is under $50?",
            "Standard shipping is free on orders over $50; below that it's $5.95. Acme Plus"
            " members get free standard shipping on every order.",
        ),
        (
            "If I order a {product} today, can I have it by Friday?",
            "With expedited 2-day shipping ($14.95), your {product} should arrive within 2"
            " business days. Standard shipping takes 3-5 business days.",
        ),
        (
            "How much is expedited shipping?",
            "Expedited 2-day shipping is $14.95. Business accounts get 2-day shipping for free.",
        ),
    ),
    "billing": (
        (
            "How much is Acme Plus and what do I get?",
            "Acme Plus is $49 a year: free standard shipping, free return labels, 60-day returns"
            " and price adjustments. You can cancel any time under Account settings > Membership.",
        ),
        (
            "I was charged $49 for Plus but I thought I cancelled. Can I get that back?",
            "If the membership is unused, cancel it under Account settings > Membership within 30"
            " days of the charge and the $49 is refunded in full.",
        ),
        (
            "How do I change the card on my account?",
            "You can add or change cards under Account settings > Payment methods. For your"
            " safety, please never share your full card number in chat.",
        ),
        (
            "Where can I download the invoice for order {order}?",
            "Invoices are under Account > Billing > Invoices; choose order {order} and download"
            " the PDF.",
        ),
    ),
    "damaged_item": (
        (
            "My {product} arrived broken. Order {order}.",
            "I'm sorry the {product} arrived like that. Report it under Orders > Report a problem"
            " with a photo within 14 days, and we'll ship a replacement free of charge.",
        ),
        (
            "The {product} is missing parts, what do I do?",
            "Sorry about that! Report it under Orders > Report a problem with a photo, and we'll"
            " send a replacement. For items under $75 you don't need to send anything back.",
        ),
        (
            "You sent me the wrong item in order {order}.",
            "Apologies for the mix-up. Report it under Orders > Report a problem with a photo of"
            " what you received, and we'll ship the right item free of charge.",
        ),
    ),
    "account": (
        (
            "I forgot my password and the reset email never came.",
            "Use Forgot password on the sign-in page; the link is valid for 30 minutes. If the"
            " email doesn't show up, check your spam folder and use your account's address.",
        ),
        (
            "I got a new phone and can't get my 2-step code anymore.",
            "At sign-in, choose Use a backup code. Without backup codes, our team can reset"
            " two-step verification after confirming your identity by email.",
        ),
        (
            "How do I change the email address on my account?",
            "Go to Account settings > Profile, enter the new address and confirm it from the email"
            " we send you.",
        ),
    ),
    "product": (
        (
            "How do I clean my {product}?",
            "Use a gentle cycle with a technical wash, then tumble dry on low to reactivate the"
            " water-repellent finish. Tents should be fully dry before you store them.",
        ),
        (
            "What size {garment} should I get? I'm usually a medium.",
            "The size chart under Size & fit on the product page lists exact measurements. If it"
            " doesn't fit, you can exchange it within the return window.",
        ),
        (
            "Is the {product} fully waterproof?",
            "Our help center doesn't cover waterproof ratings, so I don't want to guess. The"
            " product page lists the specs, or I can connect you with a human agent.",
        ),
    ),
    "warranty": (
        (
            "My {product} broke after 8 months. Is that covered by warranty?",
            "Acme-brand gear has a 2-year warranty against defects from the delivery date. Send us"
            " a photo and your order number and we'll start a claim for your {product}.",
        ),
        (
            "How do I make a warranty claim for my {product}?",
            "Send us a photo of the problem and your order number, and we'll start a warranty"
            " claim. Acme-brand gear is covered for 2 years from delivery.",
        ),
    ),
}

FOLLOW_UPS: Final = (
    # (customer's next message, the assistant's answer)
    (
        "Thanks! And how long does the refund take after that?",
        "Refunds reach your original payment method 5-7 business days after the return arrives at"
        " our warehouse.",
    ),
    (
        "Ok. Can you send me that by email too?",
        "I can't send emails from this chat, but the same details are under Orders in your"
        " account, and we email you at every step.",
    ),
    (
        "What if it's already past that date?",
        "If it's past the window I can't start a return here, but a human agent can review it."
        " Would you like me to connect you?",
    ),
    (
        "Does that apply to Plus members too?",
        "Yes. Plus members also get free return labels, 60-day returns and free standard shipping.",
    ),
    (
        "Can I talk to a person instead?",
        "Of course. I've passed this conversation to our support team; a specialist will reply by"
        " email within one business day.",
    ),
    (
        "Sorry, one more thing: is there a fee for that?",
        "No fee on Plus or Business. On the Free plan, a $6.95 return label fee is deducted from"
        " the refund.",
    ),
    (
        "And if I'm not home when it arrives?",
        "The carrier leaves most parcels at your door; if a signature is needed, they leave a note"
        " and try again the next business day.",
    ),
    ("Great, that's all I needed. Thanks!", "You're welcome, {first}! Enjoy your gear."),
)
GOODBYE: Final = FOLLOW_UPS[-1][0]
"""Ends a conversation: nothing follows it in the same session."""
ORDER_STATUS_NO_LOOKUP: Final = (
    "You can see the status and tracking number of every order under Orders in your account;"
    " tracking can take up to 24 hours to update after shipping. If a parcel shows as delivered"
    " but isn't there, wait 48 hours and contact us so we can open a claim."
)
"""How the assistant answers about an order it did not (or could not) look up."""

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
