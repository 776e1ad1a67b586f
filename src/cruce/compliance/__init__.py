"""Pure decisions on a shipment: readiness checks now; origin, duties, screening later."""
