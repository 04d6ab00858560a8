#include "troupe/offer.hpp"

namespace troupe {

std::string_view to_string(OfferResult r) {
  switch (r) {
    case OfferResult::accepted:
      return "accepted";
    case OfferResult::full:
      return "full";
    case OfferResult::busy:
      return "busy";
    case OfferResult::refused:
      return "refused";
  }
  return "unknown";
}

}  // namespace troupe
