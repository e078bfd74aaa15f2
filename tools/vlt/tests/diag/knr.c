// expect: error: vlt function 'old' has no prototype
#include <nvemu/vlt.h>
vlt int old();
int old(a, b)
	int a, b;
{
	return a + b;
}
