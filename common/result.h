#pragma once
// Result<T, E>: a value or an error. C++20 has no std::expected and Debian 12 ships
// no tl-expected, so this is the smallest thing that does the job.
#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace keyward {

template <class E>
struct Err {
  E value;
};

template <class E>
[[nodiscard]] Err<std::decay_t<E>> err(E&& e) {
  return Err<std::decay_t<E>>{std::forward<E>(e)};
}

// For results that carry no value.
struct Unit {};

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class F>
  requires std::is_convertible_v<F, E> Result(Err<F> e)
      : v_(std::in_place_index<1>, std::move(e.value)) {}  // NOLINT

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  E&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, E> v_;
};

}  // namespace keyward
