"""Between the order record (``bot.orders.model``) and the pure order flow (``flows.orders``):
the flow's view of an order, and the flow's ``UpdateOrder`` applied to the record."""

from __future__ import annotations

from datetime import datetime

from bot.orders.model import Change, Order, edit, move
from flows.messages import OrderView, UpdateOrder


def order_view(order: Order) -> OrderView:
    """What the flow needs of an order."""
    return OrderView(
        number=order.number,
        status=order.status,
        items=order.items,
        total=order.total,
        payment=order.payment,
        cod=order.cod,
        created_at=order.created_at,
        promised_ship_at=order.promised_ship_at,
        courier=order.courier,
        tracking_number=order.tracking_number,
        tracking_link=order.tracking_link,
        tracking_status=order.tracking_status,
        tracking_note=order.tracking_note,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        eta=order.eta,
        late_notices=order.late_notices,
        feedback_asked_at=order.feedback_asked_at,
        buyer_name=order.buyer_name,
    )


def apply_change(order: Order, change: UpdateOrder, now: datetime) -> Order:
    """The order after the flow's ``change`` (by the buyer, or the after-sale timers).

    Raises:
        InvalidTransition: "delivered" for an order that cannot be (e.g. cancelled).
    """
    if change.change == "delivered":
        return move(order, "delivered", at=now, who="buyer")
    if change.change == "feedback":
        return edit(order, at=now, who="buyer", feedback=change.value)
    if change.change == "feedback_asked":
        return edit(order, at=now, who="bot", feedback_asked_at=now)
    if change.change == "late_notice":
        notices = order.late_notices
        if change.value in notices:
            return order
        return edit(order, at=now, who="bot", late_notices=(*notices, change.value))
    # return_requested: the status stays until the seller takes the parcel back; the
    # request is kept in the history so the seller and the inbox see it
    return order.with_history(
        Change(now, "buyer", "return_requested", None, change.value or "other")
    )
