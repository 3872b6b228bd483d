// Expected<T>: a value or an Error. Used where failure is an ordinary outcome (bad input).
#pragma once

#include <optional>
#include <utility>
#include <variant>

#include "runner/common/error.h"

namespace stairway {

template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}
  Expected(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return storage_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return Get(); }
  const T& value() const& { return std::get<0>(storage_); }
  T&& value() && { return std::move(Get()); }
  T& operator*() & { return Get(); }
  const T& operator*() const& { return std::get<0>(storage_); }
  T* operator->() { return &Get(); }
  const T* operator->() const { return &std::get<0>(storage_); }

  const Error& error() const& { return std::get<1>(storage_); }
  Error&& error() && { return std::get<1>(std::move(storage_)); }

  // Returns the value or throws StopError: for layers that decide a failure is fatal.
  T ValueOrThrow() && {
    if (!ok()) throw StopError(std::get<1>(std::move(storage_)));
    return std::get<0>(std::move(storage_));
  }

 private:
  T& Get() {
    if (!ok()) throw StopError(std::get<1>(storage_));
    return std::get<0>(storage_);
  }
  std::variant<T, Error> storage_;
};

// Expected<void> analogue.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}
  static Status Ok() { return {}; }
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }
  void ThrowIfError() const {
    if (error_) throw StopError(*error_);
  }

 private:
  std::optional<Error> error_;
};

}  // namespace stairway

// TRY(expr): evaluates an Expected/Status; returns its error from the enclosing function.
#define STAIRWAY_CONCAT_INNER(a, b) a##b
#define STAIRWAY_CONCAT(a, b) STAIRWAY_CONCAT_INNER(a, b)
#define TRY_STATUS(expr)                                                 \
  do {                                                                   \
    auto stairway_try_status_ = (expr);                                  \
    if (!stairway_try_status_.ok()) return stairway_try_status_.error(); \
  } while (0)
// ASSIGN_OR_RETURN(lhs, expr): lhs = value of expr, or return its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(STAIRWAY_CONCAT(stairway_try_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)   \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()
