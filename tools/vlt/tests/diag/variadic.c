// expect: error: vlt function 'sum' is variadic
#include <stdarg.h>
#include <nvemu/vlt.h>
vlt int sum(int n, ...)
{
	va_list ap;
	int t = 0;

	va_start(ap, n);
	while (n--)
		t += va_arg(ap, int);
	va_end(ap);
	return t;
}
